-- The local guarantor service's register: one row per dossier, so a retried
-- request returns the same answer and the same reference.
create sequence guarantee_reference_seq;

create table guarantee_registrations (
  id bigserial primary key,
  dossier_id text not null unique,
  -- 'SOF-2026-000123'; null when refused.
  reference text unique,
  status text not null check (status in ('granted', 'refused')),
  mode text not null check (mode in ('delegated', 'individual')),
  siren char(9) not null,
  naf text not null,
  bank_id text not null,
  product text not null check (product in ('credit_bail', 'location_financiere')),
  amount_cents bigint not null check (amount_cents >= 0),
  duration_months integer not null check (duration_months > 0),
  creation_date date not null,
  quotity_percent numeric(5, 2),
  fee_basis_points integer,
  guaranteed_amount_cents bigint check (guaranteed_amount_cents >= 0),
  refusal_reason text,
  -- Paris date of the registration; the guaranteed outstanding runs down from it.
  starts_on date not null,
  registered_at timestamptz not null default now(),
  check ((status = 'granted') = (reference is not null and guaranteed_amount_cents is not null))
);
create index guarantee_registrations_siren_idx on guarantee_registrations (siren) where status = 'granted';
