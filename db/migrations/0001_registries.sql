-- The programme's registries: who may use the engine, with which bank, under which policy.

create table organisations (
  -- Public identifier used in the API: a bank code, or a reseller's label number.
  id text primary key,
  kind text not null check (kind in ('bank', 'reseller', 'programme')),
  name text not null,
  created_at timestamptz not null default now()
);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  -- Short public part of the key, used to find the row without scanning hashes.
  prefix text not null unique,
  -- SHA-256 (hex) of the whole key; the key itself is never stored.
  hash text not null,
  organisation_id text not null references organisations (id),
  role text not null check (role in ('reseller', 'bank', 'archivist', 'admin')),
  label text not null default '',
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index api_keys_organisation_idx on api_keys (organisation_id);

create table banks (
  id text primary key references organisations (id),
  name text not null,
  kind text not null default 'bank' check (kind in ('bank', 'leasing')),
  active boolean not null default true
);

create table resellers (
  -- The reseller's label number.
  id text primary key references organisations (id),
  name text not null,
  labelled boolean not null default true,
  charter_signed_on date,
  active boolean not null default true,
  postcode text,
  city text
);

create table protocols (
  reseller_id text not null references resellers (id),
  bank_id text not null references banks (id),
  active boolean not null default true,
  -- The bank's policy for this reseller (tariff grid, bounds, risky sectors, ceilings, defaults).
  policy jsonb not null,
  signed_on date,
  primary key (reseller_id, bank_id)
);
create index protocols_bank_idx on protocols (bank_id);

create table passports (
  number text primary key,
  siren char(9) not null,
  status text not null check (status in ('issued', 'revoked')),
  validated_modules text[] not null default '{}',
  issued_on date,
  revoked_on date
);
create index passports_siren_idx on passports (siren);

create table excluded_persons (
  id bigserial primary key,
  -- Upper-case, accents removed, single spaces: see db/repositories/registries.ts normaliseName.
  last_name_norm text not null,
  first_name_norm text not null,
  birth_date date not null,
  kind text not null check (kind in ('court_ban', 'personal_bankruptcy', 'dirigeant_060')),
  source text not null,
  until date,
  created_at timestamptz not null default now()
);
create index excluded_persons_lookup_idx on excluded_persons (last_name_norm, birth_date);

-- Facts about companies the checks need beyond the dossier itself.
create table companies (
  siren char(9) primary key,
  collective_procedure boolean not null default false,
  -- Guaranteed outstanding known from outside this engine (other lenders), in cents.
  external_guaranteed_outstanding_cents bigint not null default 0,
  updated_at timestamptz not null default now()
);

-- Programme-wide settings (minimum validated modules, guarantee cap, ...).
create table programme_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
