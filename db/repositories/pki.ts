/**
 * The PKI's store (certs/stores.ts) over PostgreSQL: the rows of migrations
 * 0100_pki.sql, 0150_revocation.sql and 0151_tsa_serials.sql, read and written only here.
 */
import type { Sql } from '../connect.ts';
import type { RgsLevel } from '../../certs/policies.ts';
import type { CaName } from '../../certs/profiles.ts';
import type { KeyType } from '../../certs/keys.ts';
import type { RevocationReason } from '../../certs/revocation/reasons.ts';
import type { CaRecord, CrlState, IssuedCertificate, IssuedFilter, PkiStore, PublishedCrl, Revocation, ServiceKeyRecord } from '../../certs/stores.ts';
import type { RegistrationRecord } from '../../certs/registration.ts';

/** Serialises concurrent initialisations (several instances starting together). */
const INIT_LOCK = 7_320_100_452;

interface CaRow {
  name: string;
  parent: string | null;
  profile: string;
  subject: string;
  serial: string;
  certificate: Uint8Array;
  key_type: string;
  key_location: string;
  key_ciphertext: Uint8Array | null;
  key_salt: Uint8Array | null;
  key_iv: Uint8Array | null;
  key_tag: Uint8Array | null;
  public_base_url: string;
  not_before: Date;
  not_after: Date;
}

function toCa(row: CaRow): CaRecord {
  const sealed = row.key_ciphertext && row.key_salt && row.key_iv && row.key_tag ? { ciphertext: row.key_ciphertext, salt: row.key_salt, iv: row.key_iv, tag: row.key_tag } : null;
  return {
    name: row.name as CaName,
    parent: row.parent as CaName | null,
    profile: row.profile,
    subject: row.subject,
    serial: row.serial,
    certificate: new Uint8Array(row.certificate),
    keyType: row.key_type as KeyType,
    keyLocation: row.key_location,
    sealedKey: sealed,
    publicBaseUrl: row.public_base_url,
    notBefore: row.not_before,
    notAfter: row.not_after,
  };
}

interface IssuedRow {
  serial: string;
  ca_name: string;
  subject: string;
  profile: string;
  level: number | null;
  key_type: string;
  key_location: string;
  siren: string | null;
  not_before: Date;
  not_after: Date;
  issued_at: Date;
  der: Uint8Array;
}

function toIssued(row: IssuedRow): IssuedCertificate {
  return {
    serial: row.serial,
    caName: row.ca_name as CaName,
    subject: row.subject,
    profile: row.profile,
    level: row.level as RgsLevel | null,
    keyType: row.key_type as KeyType,
    keyLocation: row.key_location,
    siren: row.siren,
    notBefore: row.not_before,
    notAfter: row.not_after,
    issuedAt: row.issued_at,
    der: new Uint8Array(row.der),
  };
}

interface RevocationRow {
  ca_name: string;
  serial_hex: string;
  reason: string;
  revoked_at: Date;
  invalidity_date: Date | null;
  operator: string;
}

const toRevocation = (row: RevocationRow): Revocation => ({
  caName: row.ca_name,
  serialHex: row.serial_hex,
  reason: row.reason as RevocationReason,
  revokedAt: row.revoked_at,
  invalidityDate: row.invalidity_date,
  operator: row.operator,
});

interface CrlRow {
  crl_number: bigint;
  this_update: Date | null;
  next_update: Date | null;
  der: Uint8Array | null;
  stale: boolean;
}

const toCrlState = (row: CrlRow): CrlState => ({
  crlNumber: BigInt(row.crl_number),
  thisUpdate: row.this_update,
  nextUpdate: row.next_update,
  der: row.der ? new Uint8Array(row.der) : null,
  stale: row.stale,
});

interface ServiceRow {
  name: string;
  ca_name: string;
  serial: string;
  key_type: string;
  key_ciphertext: Uint8Array;
  key_salt: Uint8Array;
  key_iv: Uint8Array;
  key_tag: Uint8Array;
}

const stores = new WeakMap<Sql, PkiStore>();

/** The PKI store of a database handle (one per handle: issuance caches its CA keys per store). */
export function pkiStore(sql: Sql): PkiStore {
  let store = stores.get(sql);
  if (!store) stores.set(sql, (store = storeOver(sql, false)));
  return store;
}

function storeOver(sql: Sql, inTransaction: boolean): PkiStore {
  const store: PkiStore = {
    async transaction(work) {
      if (inTransaction) return work(store);
      return (await sql.begin((tx) => work(storeOver(tx as unknown as Sql, true)))) as Awaited<ReturnType<typeof work>>;
    },

    async lockInitialisation() {
      await sql`select pg_advisory_xact_lock(${INIT_LOCK})`;
    },

    async findCa(name) {
      const rows = await sql<CaRow[]>`select * from pki_ca where name = ${name}`;
      return rows[0] ? toCa(rows[0]) : null;
    },

    async listCas() {
      const rows = await sql<CaRow[]>`select * from pki_ca order by created_at, name`;
      return rows.map(toCa);
    },

    async insertCa(ca) {
      const k = ca.sealedKey;
      await sql`insert into pki_ca (name, parent, profile, subject, serial, certificate, key_type, key_location,
          key_ciphertext, key_salt, key_iv, key_tag, public_base_url, not_before, not_after)
        values (${ca.name}, ${ca.parent}, ${ca.profile}, ${ca.subject}, ${ca.serial}, ${Buffer.from(ca.certificate)},
          ${ca.keyType}, ${ca.keyLocation}, ${k ? Buffer.from(k.ciphertext) : null}, ${k ? Buffer.from(k.salt) : null},
          ${k ? Buffer.from(k.iv) : null}, ${k ? Buffer.from(k.tag) : null}, ${ca.publicBaseUrl}, ${ca.notBefore}, ${ca.notAfter})`;
    },

    async insertIssued(cert) {
      await sql`insert into pki_certificate (ca_name, serial, subject, profile, level, key_type, key_location, siren,
          not_before, not_after, der)
        values (${cert.caName}, ${cert.serial}, ${cert.subject}, ${cert.profile}, ${cert.level}, ${cert.keyType},
          ${cert.keyLocation}, ${cert.siren}, ${cert.notBefore}, ${cert.notAfter}, ${Buffer.from(cert.der)})`;
    },

    async listIssuedCertificates(filter: IssuedFilter = {}) {
      const rows = await sql<IssuedRow[]>`select * from pki_certificate where true
        ${filter.caName ? sql`and ca_name = ${filter.caName}` : sql``}
        ${filter.profile ? sql`and profile = ${filter.profile}` : sql``}
        ${filter.level ? sql`and level = ${filter.level}` : sql``}
        ${filter.siren ? sql`and siren = ${filter.siren}` : sql``}
        order by issued_at desc, serial
        ${filter.limit ? sql`limit ${filter.limit}` : sql``}`;
      return rows.map(toIssued);
    },

    async findIssuedCertificate(caName, serialHex) {
      const serial = serialHex.toLowerCase().replace(/^(00)+(?=[0-9a-f]{2})/, '');
      const rows = await sql<IssuedRow[]>`select * from pki_certificate where ca_name = ${caName} and serial = ${serial}`;
      return rows[0] ? toIssued(rows[0]) : null;
    },

    async recordRegistration(caName, serial, record: RegistrationRecord) {
      await sql`insert into pki_registration (ca_name, serial, identity_check, operator, document_type, document_number_sha256, checked_at)
        values (${caName}, ${serial}, ${record.identityCheck}, ${record.operator}, ${record.documentType}, ${record.documentNumberSha256}, ${record.checkedAt})`;
    },

    async findRegistration(caName, serial) {
      const rows = await sql<
        {
          identity_check: RegistrationRecord['identityCheck'];
          operator: string;
          document_type: RegistrationRecord['documentType'];
          document_number_sha256: string | null;
          checked_at: Date;
        }[]
      >`
        select identity_check, operator, document_type, document_number_sha256, checked_at
        from pki_registration where ca_name = ${caName} and serial = ${serial}`;
      const row = rows[0];
      return row
        ? {
            identityCheck: row.identity_check,
            operator: row.operator,
            documentType: row.document_type,
            documentNumberSha256: row.document_number_sha256,
            checkedAt: row.checked_at,
          }
        : null;
    },

    async insertRevocation(r) {
      if (inTransaction) return insertRevocation(sql, r);
      return (await sql.begin((tx) => insertRevocation(tx as unknown as Sql, r))) as Revocation | null;
    },

    async findRevocation(caName, serialHex) {
      const rows = await sql<RevocationRow[]>`select * from pki_revocations where ca_name = ${caName} and serial_hex = ${serialHex}`;
      return rows[0] ? toRevocation(rows[0]) : null;
    },

    async listRevocations(caName) {
      const rows = await sql<RevocationRow[]>`select * from pki_revocations where ca_name = ${caName} order by revoked_at, serial_hex`;
      return rows.map(toRevocation);
    },

    async crlState(caName) {
      const [row] = await sql<CrlRow[]>`select crl_number, this_update, next_update, der, stale from pki_crl_state where ca_name = ${caName}`;
      return row ? toCrlState(row) : null;
    },

    async lockCrlState(caName) {
      await sql`insert into pki_crl_state (ca_name, crl_number, stale) values (${caName}, 0, true) on conflict (ca_name) do nothing`;
      const [row] = await sql<CrlRow[]>`
        select crl_number, this_update, next_update, der, stale from pki_crl_state where ca_name = ${caName} for update`;
      return toCrlState(row!);
    },

    async saveCrl(crl: PublishedCrl) {
      const der = Buffer.from(crl.der);
      await sql`update pki_crl_state set crl_number = ${crl.crlNumber.toString()}, this_update = ${crl.thisUpdate}, next_update = ${crl.nextUpdate},
                 der = ${der}, stale = false where ca_name = ${crl.caName}`;
      await sql`insert into pki_crl_history (ca_name, crl_number, this_update, next_update, der)
               values (${crl.caName}, ${crl.crlNumber.toString()}, ${crl.thisUpdate}, ${crl.nextUpdate}, ${der})`;
    },

    async reserveTsaSerials(tsaName, size) {
      const [row] = await sql<{ first: bigint }[]>`
        insert into tsa_serial_blocks (tsa_name, next_serial) values (${tsaName}, ${(1n + size).toString()})
        on conflict (tsa_name) do update set next_serial = tsa_serial_blocks.next_serial + ${size.toString()}
        returning next_serial - ${size.toString()} as first`;
      return BigInt(row!.first);
    },

    async findServiceKey(name) {
      const [row] = await sql<ServiceRow[]>`select name, ca_name, serial, key_type, key_ciphertext, key_salt, key_iv, key_tag from pki_service_key where name = ${name}`;
      return row
        ? {
            name: row.name,
            caName: row.ca_name,
            serial: row.serial,
            keyType: row.key_type as KeyType,
            sealedKey: { ciphertext: row.key_ciphertext, salt: row.key_salt, iv: row.key_iv, tag: row.key_tag },
          }
        : null;
    },

    async insertServiceKey(key: ServiceKeyRecord) {
      const k = key.sealedKey;
      await sql`insert into pki_service_key (name, ca_name, serial, key_type, key_ciphertext, key_salt, key_iv, key_tag)
        values (${key.name}, ${key.caName}, ${key.serial}, ${key.keyType}, ${Buffer.from(k.ciphertext)},
          ${Buffer.from(k.salt)}, ${Buffer.from(k.iv)}, ${Buffer.from(k.tag)})
        on conflict (name) do nothing`;
    },
  };
  return store;
}

async function insertRevocation(tx: Sql, r: Omit<Revocation, 'revokedAt'> & { revokedAt?: Date }): Promise<Revocation | null> {
  const rows = await tx<RevocationRow[]>`
    insert into pki_revocations (ca_name, serial_hex, reason, revoked_at, invalidity_date, operator)
    values (${r.caName}, ${r.serialHex}, ${r.reason}, ${r.revokedAt ?? new Date()}, ${r.invalidityDate}, ${r.operator})
    on conflict (ca_name, serial_hex) do nothing
    returning *`;
  if (!rows[0]) return null;
  await tx`
    insert into pki_crl_state (ca_name, crl_number, stale) values (${r.caName}, 0, true)
    on conflict (ca_name) do update set stale = true`;
  return toRevocation(rows[0]);
}
