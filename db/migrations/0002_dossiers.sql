-- Dossiers, their history and the notifications they cause.

create table dossiers (
  id uuid primary key,
  reseller_id text not null references resellers (id),
  bank_id text not null references banks (id),
  idempotency_key text not null,
  -- SHA-256 of the canonical request body: the same key with another body is refused.
  request_hash text not null,
  body jsonb not null,
  siren char(9) not null,
  total_amount_cents bigint not null check (total_amount_cents >= 0),
  status text not null default 'received'
    check (status in ('received', 'ineligible', 'awaiting_analyst', 'approved', 'declined')),
  ineligibility jsonb not null default '[]',
  hard_cases jsonb not null default '[]',
  guarantee jsonb,
  guarantee_reference text,
  decision jsonb,
  created_at timestamptz not null default now(),
  -- Accepted as complete: the 24-hour clock starts here.
  accepted_at timestamptz not null default now(),
  decision_deadline timestamptz,
  decided_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (reseller_id, idempotency_key)
);
create index dossiers_reseller_idx on dossiers (reseller_id, created_at desc);
create index dossiers_bank_status_idx on dossiers (bank_id, status, created_at);
create index dossiers_siren_idx on dossiers (siren);

create table dossier_events (
  id bigserial primary key,
  dossier_id uuid not null references dossiers (id),
  seq integer not null,
  type text not null,
  payload jsonb not null default '{}',
  at timestamptz not null default now(),
  -- Activities are retried: the same event key is recorded once.
  event_key text not null unique,
  unique (dossier_id, seq)
);

create table outbox (
  id bigserial primary key,
  dossier_id uuid not null references dossiers (id),
  kind text not null check (kind in ('bank_reminder', 'decision_notice')),
  recipient_organisation_id text not null references organisations (id),
  offset_seconds integer not null default 0,
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (dossier_id, kind, offset_seconds)
);
create index outbox_unsent_idx on outbox (created_at) where sent_at is null;
