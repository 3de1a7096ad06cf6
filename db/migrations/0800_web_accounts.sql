-- The people who sign in to the web pages (docs/web.md): their accounts, their server-side
-- sessions (revocable: signing out ends the row, the cookie alone proves nothing), and the
-- failed sign-ins that slow down the next attempts per account and per address.

-- A créateur belongs to their company: an organisation whose identifier is its SIREN.
alter table organisations drop constraint organisations_kind_check;
alter table organisations add constraint organisations_kind_check
  check (kind in ('bank', 'reseller', 'programme', 'company'));
alter table api_keys drop constraint api_keys_role_check;
alter table api_keys add constraint api_keys_role_check
  check (role in ('reseller', 'bank', 'archivist', 'admin', 'creator'));

create table accounts (
  id uuid primary key default gen_random_uuid(),
  -- The sign-in identifier, stored trimmed and in lower case.
  email text not null unique check (email = lower(btrim(email)) and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  display_name text not null check (length(btrim(display_name)) > 0),
  role text not null check (role in ('reseller', 'bank', 'archivist', 'admin', 'creator')),
  organisation_id text not null references organisations (id),
  -- scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>; the password itself is never stored.
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create index accounts_organisation_idx on accounts (organisation_id);

create table web_sessions (
  -- SHA-256 (hex) of the random token the cookie carries: a copy of this table opens no session.
  token_hash text primary key,
  account_id uuid not null references accounts (id),
  -- Synchronizer token every form and every fetch of the pages sends back.
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- Absolute end; the idle limit is checked against last_seen_at.
  expires_at timestamptz not null,
  -- Signed out, account disabled, or replaced: the token is refused from then on.
  ended_at timestamptz
);
create index web_sessions_account_idx on web_sessions (account_id) where ended_at is null;

create table sign_in_failures (
  id bigserial primary key,
  email text not null,
  ip text not null,
  at timestamptz not null default now()
);
create index sign_in_failures_email_idx on sign_in_failures (email, at);
create index sign_in_failures_ip_idx on sign_in_failures (ip, at);
