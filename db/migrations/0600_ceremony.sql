-- The signing ceremony (issue 13): the sealed decision letter, the contract and
-- its versions, the three signatures, the evidence, and who may sign.

-- A créateur signs for their company, an organisation of kind 'company' whose
-- identifier is its SIREN, with the role 'creator' (both allowed by 0800_web_accounts.sql).

-- Who signs for an organisation: the person (or, for a seal, the seal's name) a
-- certificate must name, and the SIREN it must carry (OU "0002 <SIREN>").
create table organisation_signatories (
  organisation_id text primary key references organisations (id),
  siren char(9) not null,
  name text not null,
  -- As the contract's signature block prints it: « gérant », « directrice d'agence ».
  title text
);

-- Server-side seal keys (RGS ***): a key on the engine's PKCS#11 seal token.
-- The bank's countersignature, its decision letters and the platform's evidence use them.
create table organisation_seals (
  organisation_id text primary key references organisations (id),
  token_label text not null,
  key_label text not null,
  certificate bytea not null,
  registered_at timestamptz not null default now()
);

create table ceremonies (
  dossier_id uuid primary key references dossiers (id),
  outcome text not null check (outcome in ('approved', 'declined')),
  status text not null check (status in (
    'letter_sealed', 'awaiting_createur', 'awaiting_revendeur', 'awaiting_banque',
    'finalising', 'signed', 'declined', 'lapsed')),
  contract_number text unique,
  offer_expires_at timestamptz,
  -- {"createur": 2, "revendeur": 1, "banque": 3}
  required_levels jsonb,
  -- Who must sign, per party: {"name": …, "siren": …}
  signers jsonb,
  -- {"party": …, "reason": …, "at": …}
  closing jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Every document of a ceremony, each contract version kept (0 = written, then
-- one per signature, then B-LT and B-LTA): the evidence hashes each of them.
create table ceremony_documents (
  dossier_id uuid not null references dossiers (id),
  kind text not null check (kind in ('decision_letter', 'dossier_summary', 'contract', 'evidence', 'validation_report')),
  version integer not null default 0,
  label text not null,
  media_type text not null,
  content bytea not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  primary key (dossier_id, kind, version)
);

-- Data prepared for a signer's certificate (deferred signing): the state that
-- completes the signature once its value comes back.
create table signing_preparations (
  id uuid primary key,
  dossier_id uuid not null references dossiers (id),
  party text not null check (party in ('createur', 'revendeur', 'banque')),
  base_version integer not null,
  base_sha256 text not null,
  -- The prepared signature without its PDF, and the bytes it appends to the base version.
  state jsonb not null,
  tail bytea not null,
  certificate bytea not null,
  -- What the checks established: subject, issuer, serial, level, key store, validity.
  facts jsonb not null,
  ip text,
  user_agent text,
  created_at timestamptz not null default now()
);
create index signing_preparations_dossier_idx on signing_preparations (dossier_id, party);

create table contract_signatures (
  dossier_id uuid not null references dossiers (id),
  party text not null check (party in ('createur', 'revendeur', 'banque')),
  -- One preparation gives one signature: a replay finds it taken.
  preparation_id uuid not null unique references signing_preparations (id),
  version integer not null,
  certificate bytea not null,
  facts jsonb not null,
  sha256_before text not null,
  sha256_after text not null,
  signature_value_sha256 text not null,
  timestamp_time timestamptz,
  signed_at timestamptz not null default now(),
  ip text,
  user_agent text,
  primary key (dossier_id, party)
);

-- Each ceremony's package in the coffre-fort: one per dossier.
create table archive_deposits (
  dossier_id uuid primary key references dossiers (id),
  package_id text not null,
  location text not null,
  objects jsonb not null,
  deposited_at timestamptz not null default now()
);

-- Notifications of the ceremony; a message per recipient.
alter table outbox drop constraint outbox_kind_check;
alter table outbox add constraint outbox_kind_check check (kind in (
  'bank_reminder', 'decision_notice', 'signature_request', 'signature_reminder', 'ceremony_declined', 'ceremony_lapsed', 'contract_signed'));
alter table outbox drop constraint outbox_dossier_id_kind_offset_seconds_key;
alter table outbox add constraint outbox_dossier_kind_recipient_offset_key unique (dossier_id, kind, recipient_organisation_id, offset_seconds);
