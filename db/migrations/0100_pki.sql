-- The engine's PKI: certification authorities, issued certificates, registration evidence.

create table pki_ca (
  name text primary key,
  parent text references pki_ca(name),
  profile text not null,
  subject text not null,
  serial text not null,
  certificate bytea not null,
  key_type text not null,
  -- 'encrypted': PKCS#8 sealed with AES-256-GCM under a scrypt key derived from the master secret
  key_location text not null,
  key_ciphertext bytea,
  key_salt bytea,
  key_iv bytea,
  key_tag bytea,
  public_base_url text not null,
  not_before timestamptz not null,
  not_after timestamptz not null,
  created_at timestamptz not null default now()
);

create table pki_certificate (
  ca_name text not null references pki_ca(name),
  serial text not null,
  subject text not null,
  profile text not null,
  level smallint check (level in (1, 2, 3)),
  key_type text not null,
  key_location text not null,
  siren text,
  not_before timestamptz not null,
  not_after timestamptz not null,
  der bytea not null,
  issued_at timestamptz not null default now(),
  primary key (ca_name, serial)
);

create index pki_certificate_issued_at on pki_certificate (issued_at);

create table pki_registration (
  id bigserial primary key,
  ca_name text not null,
  serial text not null,
  identity_check text not null check (identity_check in ('remote', 'face_to_face')),
  operator text not null,
  document_type text check (document_type in ('passport', 'id_card', 'residence_permit')),
  -- SHA-256 of the normalised document number: the number itself is never stored
  document_number_sha256 text check (document_number_sha256 ~ '^[0-9a-f]{64}$'),
  checked_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  foreign key (ca_name, serial) references pki_certificate (ca_name, serial)
);

-- Server-side service keys (TSA unit, OCSP responders), sealed like the CA keys.
create table pki_service_key (
  name text primary key,
  ca_name text not null,
  serial text not null,
  key_type text not null,
  key_ciphertext bytea not null,
  key_salt bytea not null,
  key_iv bytea not null,
  key_tag bytea not null,
  created_at timestamptz not null default now(),
  foreign key (ca_name, serial) references pki_certificate (ca_name, serial)
);
