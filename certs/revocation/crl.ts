import type { Sql } from '../../db/connect.ts';
import { defaultHashFor, signatureAlgorithmId } from '../tsa/algorithms.ts';
import { certificateFields } from '../tsa/certificate-fields.ts';
import { bitString, ctx, enumerated, generalizedTime, integer, octets, oid, seq, unsignedInteger, x509Time } from '../tsa/der.ts';
import { REVOCATION_REASONS } from './reasons.ts';
import { listRevocations, type Revocation } from './store.ts';
import { engineCaLoader, type IssuingCa } from './issuing-ca.ts';
import type { SecretOptions } from '../secret.ts';

export const DEFAULT_CRL_PERIOD_SECONDS = 24 * 3600;

export interface CrlOptions extends SecretOptions {
  /** nextUpdate − thisUpdate (default 24 h). */
  periodSeconds?: number;
  now?: Date;
}

export interface PublishedCrl {
  caName: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Uint8Array;
}

const extension = (id: string, value: Buffer): Buffer => seq(oid(id), octets(value));

/** A v2 CRL (RFC 5280 §5) signed through the CA's Signer. */
export async function encodeCrl(
  ca: IssuingCa,
  crl: { crlNumber: bigint; thisUpdate: Date; nextUpdate: Date; revocations: readonly Revocation[] },
): Promise<Buffer> {
  const fields = certificateFields(ca.certificate);
  const hash = defaultHashFor(ca.signer.keyAlgorithm);
  const algorithm = signatureAlgorithmId(ca.signer.keyAlgorithm, hash);
  const entries = crl.revocations.map((r) => {
    const entryExtensions: Buffer[] = [];
    // RFC 5280: the reason code "unspecified" SHOULD be absent.
    if (r.reason !== 'unspecified') entryExtensions.push(extension('2.5.29.21', enumerated(REVOCATION_REASONS[r.reason])));
    if (r.invalidityDate) entryExtensions.push(extension('2.5.29.24', generalizedTime(r.invalidityDate)));
    return seq(
      unsignedInteger(Buffer.from(r.serialHex.length % 2 ? `0${r.serialHex}` : r.serialHex, 'hex')),
      x509Time(r.revokedAt),
      entryExtensions.length ? seq(...entryExtensions) : Buffer.alloc(0),
    );
  });
  const tbs = seq(
    integer(1),
    algorithm,
    fields.subject,
    x509Time(crl.thisUpdate),
    x509Time(crl.nextUpdate),
    entries.length ? seq(...entries) : Buffer.alloc(0),
    ctx(0, seq(extension('2.5.29.35', seq(Buffer.concat([Buffer.from([0x80]), lengthOf(fields.keyIdentifier), fields.keyIdentifier]))), extension('2.5.29.20', integer(crl.crlNumber)))),
  );
  const signature = await ca.signer.sign(tbs, hash);
  return seq(tbs, algorithm, bitString(signature));
}

function lengthOf(bytes: Buffer): Buffer {
  return bytes.length < 0x80 ? Buffer.from([bytes.length]) : Buffer.from([0x81, bytes.length]);
}

const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

interface StateRow {
  crl_number: bigint;
  this_update: Date | null;
  next_update: Date | null;
  der: Uint8Array | null;
  stale: boolean;
}

/**
 * Publishes a new CRL for the CA: the next CRL number (strictly increasing,
 * persisted), every revocation recorded so far. Concurrent callers serialise on
 * the CA's state row.
 */
export async function generateCrl(sql: Sql, ca: IssuingCa | string, options: CrlOptions = {}): Promise<PublishedCrl> {
  return publish(sql, await resolveCa(sql, ca, options), options, false);
}

/**
 * The CA's current CRL: reused while fresh, regenerated after a revocation or
 * once less than a quarter of its period remains before nextUpdate.
 */
export async function currentCrl(sql: Sql, caOrName: IssuingCa | string, options: CrlOptions = {}): Promise<PublishedCrl> {
  const ca = await resolveCa(sql, caOrName, options);
  const now = options.now ?? new Date();
  const period = options.periodSeconds ?? DEFAULT_CRL_PERIOD_SECONDS;
  const [row] = await sql<StateRow[]>`select crl_number, this_update, next_update, der, stale from pki_crl_state where ca_name = ${ca.name}`;
  if (row && isFresh(row, now, period)) return toPublished(ca.name, row);
  return publish(sql, ca, options, true);
}

/** A CA given by name is loaded from the engine's hierarchy (`passeport pki init`). */
function resolveCa(sql: Sql, ca: IssuingCa | string, options: SecretOptions): Promise<IssuingCa> {
  if (typeof ca !== 'string') return Promise.resolve(ca);
  return engineCaLoader(sql, { ...(options.secret ? { secret: options.secret } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) })(ca);
}

function isFresh(row: StateRow, now: Date, periodSeconds: number): boolean {
  if (row.stale || !row.der || !row.next_update) return false;
  return row.next_update.getTime() - now.getTime() > (periodSeconds * 1000) / 4;
}

function toPublished(caName: string, row: StateRow): PublishedCrl {
  return { caName, crlNumber: BigInt(row.crl_number), thisUpdate: row.this_update!, nextUpdate: row.next_update!, der: new Uint8Array(row.der!) };
}

async function publish(sql: Sql, ca: IssuingCa, options: CrlOptions, onlyIfNeeded: boolean): Promise<PublishedCrl> {
  const period = options.periodSeconds ?? DEFAULT_CRL_PERIOD_SECONDS;
  if (!Number.isInteger(period) || period < 60) throw new Error('La période des CRL doit être d’au moins 60 secondes.');
  return (await sql.begin(async (tx) => {
    await tx`insert into pki_crl_state (ca_name, crl_number, stale) values (${ca.name}, 0, true) on conflict (ca_name) do nothing`;
    const [state] = await tx<StateRow[]>`
      select crl_number, this_update, next_update, der, stale from pki_crl_state where ca_name = ${ca.name} for update`;
    const now = wholeSeconds(options.now ?? new Date());
    // Another instance may have published while this one waited for the lock.
    if (onlyIfNeeded && state && isFresh(state, now, period)) return toPublished(ca.name, state);
    const crlNumber = BigInt(state!.crl_number) + 1n;
    const nextUpdate = new Date(now.getTime() + period * 1000);
    const revocations = await listRevocations(tx as unknown as Sql, ca.name);
    const der = await encodeCrl(ca, { crlNumber, thisUpdate: now, nextUpdate, revocations });
    await tx`update pki_crl_state set crl_number = ${crlNumber.toString()}, this_update = ${now}, next_update = ${nextUpdate},
               der = ${der}, stale = false where ca_name = ${ca.name}`;
    await tx`insert into pki_crl_history (ca_name, crl_number, this_update, next_update, der)
             values (${ca.name}, ${crlNumber.toString()}, ${now}, ${nextUpdate}, ${der})`;
    return { caName: ca.name, crlNumber, thisUpdate: now, nextUpdate, der: new Uint8Array(der) };
  })) as PublishedCrl;
}
