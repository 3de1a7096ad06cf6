-- Revocations recorded by `passeport pki revoke`, per issuing CA.
create table pki_revocations (
  ca_name text not null,
  -- lower-case hex, no leading zeros: the same spelling everywhere
  serial_hex text not null check (serial_hex ~ '^[0-9a-f]+$'),
  reason text not null,
  revoked_at timestamptz not null default now(),
  invalidity_date timestamptz,
  operator text not null,
  primary key (ca_name, serial_hex)
);

-- The current CRL of each CA. `stale` is set by a revocation so that any
-- instance regenerates before serving; crl_number only ever grows.
create table pki_crl_state (
  ca_name text primary key,
  crl_number bigint not null,
  this_update timestamptz,
  next_update timestamptz,
  der bytea,
  stale boolean not null default true
);

-- Every CRL ever published, for the audit trail.
create table pki_crl_history (
  ca_name text not null,
  crl_number bigint not null,
  this_update timestamptz not null,
  next_update timestamptz not null,
  der bytea not null,
  primary key (ca_name, crl_number)
);
