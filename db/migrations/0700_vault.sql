-- The coffre-fort (vault/, docs/vault.md): packages and objects with their fingerprints,
-- legal holds, the chained journal, its seals and the audit reports. Object contents live
-- in the object store (files by default), addressed by their SHA-512; never here.

create table vault_package (
  id text primary key,
  -- SHA-256 of the package manifest: the identifier derives from it, so the same package deposited twice is found again
  manifest_sha256 text not null unique check (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  depositor text not null,
  deposited_at timestamptz not null,
  dossier_id text,
  siren text check (siren ~ '^[0-9]{9}$'),
  parties jsonb not null default '[]'
);

create table vault_object (
  id text primary key,
  package_id text not null references vault_package (id),
  position integer not null check (position > 0),
  name text not null,
  media_type text not null,
  size bigint not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  sha512 text not null check (sha512 ~ '^[0-9a-f]{128}$'),
  document_class text not null,
  -- null: kept without limit (the journal's seals)
  retention_end timestamptz,
  depositor text not null,
  deposited_at timestamptz not null,
  dossier_id text,
  siren text,
  parties jsonb not null default '[]',
  -- preservation: the object this one re-extends (a newer version of the same document)
  derived_from text references vault_object (id),
  -- tombstone: the content is gone, the record and its journal entries stay
  disposed_at timestamptz,
  disposed_by text,
  disposal_reason text,
  unique (package_id, position)
);

create index vault_object_dossier on vault_object (dossier_id);
create index vault_object_siren on vault_object (siren);
create index vault_object_deposited_at on vault_object (deposited_at);
create index vault_object_class on vault_object (document_class);
create index vault_object_sha512 on vault_object (sha512);
create index vault_object_parties on vault_object using gin (parties jsonb_path_ops);
create index vault_object_derived_from on vault_object (derived_from);

create table vault_legal_hold (
  id bigserial primary key,
  object_id text not null references vault_object (id),
  reason text not null check (length(reason) > 0),
  set_by text not null,
  set_at timestamptz not null,
  lifted_by text,
  lifted_at timestamptz,
  lift_reason text
);

create index vault_legal_hold_active on vault_legal_hold (object_id) where lifted_at is null;

-- The journal: one row per operation. `body` holds the exact bytes that are hashed
-- (UTF-8 JSON); the other columns repeat some of its fields for searching, and the audit
-- checks they agree with it.
create table vault_journal (
  seq bigint primary key check (seq > 0),
  recorded_at timestamptz not null,
  operation text not null,
  actor text not null,
  object_id text,
  outcome text not null,
  body text not null,
  previous_hash text not null check (previous_hash ~ '^[0-9a-f]{128}$'),
  hash text not null check (hash ~ '^[0-9a-f]{128}$')
);

create index vault_journal_object on vault_journal (object_id, seq);

-- The end of the chain. Appending locks this row, so entries are numbered and chained
-- one after the other whatever the number of writers.
create table vault_journal_head (
  id boolean primary key default true check (id),
  seq bigint not null,
  hash text not null
);
insert into vault_journal_head (seq, hash) values (0, repeat('0', 128));

create table vault_seal (
  id text primary key,
  number bigint not null unique check (number > 0),
  first_seq bigint not null unique,
  last_seq bigint not null check (last_seq >= first_seq),
  period_start timestamptz not null,
  period_end timestamptz not null,
  merkle_root text not null check (merkle_root ~ '^[0-9a-f]{128}$'),
  -- the text document whose SHA-512 the TSA timestamped (sceau.txt in exports)
  document text not null,
  token bytea not null,
  token_time timestamptz not null,
  sealed_at timestamptz not null,
  -- the seal archived in the vault itself: its document and its token
  document_object_id text not null references vault_object (id),
  token_object_id text not null references vault_object (id)
);

create table vault_audit (
  id bigserial primary key,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  actor text not null,
  clean boolean not null,
  summary jsonb not null,
  anomalies jsonb not null
);
