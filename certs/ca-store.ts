import type { Sql } from '../db/connect.ts';
import type { RgsLevel } from './policies.ts';
import type { CaName } from './profiles.ts';
import type { KeyType } from './keys.ts';
import type { SealedKey } from './secret.ts';

/** Rows of the PKI tables (migration 0100_pki.sql), read and written only here. */
export interface CaRecord {
  name: CaName;
  parent: CaName | null;
  profile: string;
  subject: string;
  serial: string;
  certificate: Uint8Array;
  keyType: KeyType;
  keyLocation: string;
  sealedKey: SealedKey | null;
  publicBaseUrl: string;
  notBefore: Date;
  notAfter: Date;
}

export interface IssuedCertificate {
  /** Lowercase hex, no leading zero byte. */
  serial: string;
  caName: CaName;
  subject: string;
  profile: string;
  level: RgsLevel | null;
  keyType: KeyType;
  /** "pkcs12:<file>", "pkcs11:token=<label>;id=<hex>", "server:<name>", "ca:<name>" or "external". */
  keyLocation: string;
  siren: string | null;
  notBefore: Date;
  notAfter: Date;
  issuedAt: Date;
  der: Uint8Array;
}

export interface IssuedFilter {
  caName?: CaName;
  profile?: string;
  level?: RgsLevel;
  siren?: string;
  limit?: number;
}

interface CaRow {
  name: string; parent: string | null; profile: string; subject: string; serial: string; certificate: Uint8Array;
  key_type: string; key_location: string; key_ciphertext: Uint8Array | null; key_salt: Uint8Array | null;
  key_iv: Uint8Array | null; key_tag: Uint8Array | null; public_base_url: string; not_before: Date; not_after: Date;
}

function toCa(row: CaRow): CaRecord {
  const sealed = row.key_ciphertext && row.key_salt && row.key_iv && row.key_tag
    ? { ciphertext: row.key_ciphertext, salt: row.key_salt, iv: row.key_iv, tag: row.key_tag }
    : null;
  return {
    name: row.name as CaName, parent: row.parent as CaName | null, profile: row.profile, subject: row.subject,
    serial: row.serial, certificate: new Uint8Array(row.certificate), keyType: row.key_type as KeyType,
    keyLocation: row.key_location, sealedKey: sealed, publicBaseUrl: row.public_base_url,
    notBefore: row.not_before, notAfter: row.not_after,
  };
}

export async function findCa(sql: Sql, name: string): Promise<CaRecord | null> {
  const rows = await sql<CaRow[]>`select * from pki_ca where name = ${name}`;
  return rows[0] ? toCa(rows[0]) : null;
}

export async function listCas(sql: Sql): Promise<CaRecord[]> {
  const rows = await sql<CaRow[]>`select * from pki_ca order by created_at, name`;
  return rows.map(toCa);
}

export async function insertCa(sql: Sql, ca: CaRecord): Promise<void> {
  const k = ca.sealedKey;
  await sql`insert into pki_ca (name, parent, profile, subject, serial, certificate, key_type, key_location,
      key_ciphertext, key_salt, key_iv, key_tag, public_base_url, not_before, not_after)
    values (${ca.name}, ${ca.parent}, ${ca.profile}, ${ca.subject}, ${ca.serial}, ${Buffer.from(ca.certificate)},
      ${ca.keyType}, ${ca.keyLocation}, ${k ? Buffer.from(k.ciphertext) : null}, ${k ? Buffer.from(k.salt) : null},
      ${k ? Buffer.from(k.iv) : null}, ${k ? Buffer.from(k.tag) : null}, ${ca.publicBaseUrl}, ${ca.notBefore}, ${ca.notAfter})`;
}

interface IssuedRow {
  serial: string; ca_name: string; subject: string; profile: string; level: number | null; key_type: string;
  key_location: string; siren: string | null; not_before: Date; not_after: Date; issued_at: Date; der: Uint8Array;
}

function toIssued(row: IssuedRow): IssuedCertificate {
  return {
    serial: row.serial, caName: row.ca_name as CaName, subject: row.subject, profile: row.profile,
    level: row.level as RgsLevel | null, keyType: row.key_type as KeyType, keyLocation: row.key_location,
    siren: row.siren, notBefore: row.not_before, notAfter: row.not_after, issuedAt: row.issued_at,
    der: new Uint8Array(row.der),
  };
}

export async function insertIssued(sql: Sql, cert: Omit<IssuedCertificate, 'issuedAt'>): Promise<void> {
  await sql`insert into pki_certificate (ca_name, serial, subject, profile, level, key_type, key_location, siren,
      not_before, not_after, der)
    values (${cert.caName}, ${cert.serial}, ${cert.subject}, ${cert.profile}, ${cert.level}, ${cert.keyType},
      ${cert.keyLocation}, ${cert.siren}, ${cert.notBefore}, ${cert.notAfter}, ${Buffer.from(cert.der)})`;
}

/** Certificates issued by the engine's CAs (CA certificates included, issued by "root"), newest first. */
export async function listIssuedCertificates(sql: Sql, filter: IssuedFilter = {}): Promise<IssuedCertificate[]> {
  const rows = await sql<IssuedRow[]>`select * from pki_certificate where true
    ${filter.caName ? sql`and ca_name = ${filter.caName}` : sql``}
    ${filter.profile ? sql`and profile = ${filter.profile}` : sql``}
    ${filter.level ? sql`and level = ${filter.level}` : sql``}
    ${filter.siren ? sql`and siren = ${filter.siren}` : sql``}
    order by issued_at desc, serial
    ${filter.limit ? sql`limit ${filter.limit}` : sql``}`;
  return rows.map(toIssued);
}

export async function findIssuedCertificate(sql: Sql, caName: string, serialHex: string): Promise<IssuedCertificate | null> {
  const serial = serialHex.toLowerCase().replace(/^(00)+(?=[0-9a-f]{2})/, '');
  const rows = await sql<IssuedRow[]>`select * from pki_certificate where ca_name = ${caName} and serial = ${serial}`;
  return rows[0] ? toIssued(rows[0]) : null;
}
