-- Next serial number each timestamp authority may hand out. Instances reserve
-- blocks by moving it forward, so a serial is never reused, even after a restart.
create table tsa_serial_blocks (
  tsa_name text primary key,
  next_serial bigint not null check (next_serial > 0)
);
