import {
  OID,
  bitString,
  ctx,
  ctxPrimitive,
  defaultHashFor,
  enumerated,
  generalizedTime,
  hexInteger,
  integer,
  keyIdentifierOf,
  octets,
  oid,
  parseCertificate,
  seq,
  signatureAlgorithmId,
  x509Time,
} from '../../asn1/index.ts';
import { REVOCATION_REASONS } from './reasons.ts';
import type { CrlState, PkiStore, PublishedCrl, Revocation } from '../stores.ts';
import { PkiError } from '../errors.ts';
import { engineCaLoader, type IssuingCa } from './issuing-ca.ts';
import type { SecretOptions } from '../secret.ts';

export const DEFAULT_CRL_PERIOD_SECONDS = 24 * 3600;

export interface CrlOptions extends SecretOptions {
  /** nextUpdate − thisUpdate (default 24 h). */
  periodSeconds?: number;
  now?: Date;
}

const extension = (id: string, value: Buffer): Buffer => seq(oid(id), octets(value));

/** A v2 CRL (RFC 5280 §5) signed through the CA's Signer. */
export async function encodeCrl(ca: IssuingCa, crl: { crlNumber: bigint; thisUpdate: Date; nextUpdate: Date; revocations: readonly Revocation[] }): Promise<Buffer> {
  const caCert = parseCertificate(ca.certificate);
  const hash = defaultHashFor(ca.signer.keyAlgorithm);
  const algorithm = signatureAlgorithmId(ca.signer.keyAlgorithm, hash);
  const entries = crl.revocations.map((r) => {
    const entryExtensions: Buffer[] = [];
    // RFC 5280: the reason code "unspecified" SHOULD be absent.
    if (r.reason !== 'unspecified') entryExtensions.push(extension(OID.reasonCode, enumerated(REVOCATION_REASONS[r.reason])));
    if (r.invalidityDate) entryExtensions.push(extension(OID.invalidityDate, generalizedTime(r.invalidityDate)));
    return seq(hexInteger(r.serialHex), x509Time(r.revokedAt), entryExtensions.length ? seq(...entryExtensions) : Buffer.alloc(0));
  });
  const tbs = seq(
    integer(1),
    algorithm,
    caCert.subjectDer,
    x509Time(crl.thisUpdate),
    x509Time(crl.nextUpdate),
    entries.length ? seq(...entries) : Buffer.alloc(0),
    ctx(0, seq(extension(OID.authorityKeyIdentifier, seq(ctxPrimitive(0, keyIdentifierOf(caCert)))), extension(OID.crlNumber, integer(crl.crlNumber)))),
  );
  const signature = await ca.signer.sign(tbs, hash);
  return seq(tbs, algorithm, bitString(signature));
}

const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

/**
 * Publishes a new CRL for the CA: the next CRL number (strictly increasing,
 * persisted), every revocation recorded so far. Concurrent callers serialise on
 * the CA's CRL state.
 */
export async function generateCrl(store: PkiStore, ca: IssuingCa | string, options: CrlOptions = {}): Promise<PublishedCrl> {
  return publish(store, await resolveCa(store, ca, options), options, false);
}

/**
 * The CA's current CRL: reused while fresh, regenerated after a revocation or
 * once less than a quarter of its period remains before nextUpdate.
 */
export async function currentCrl(store: PkiStore, caOrName: IssuingCa | string, options: CrlOptions = {}): Promise<PublishedCrl> {
  const ca = await resolveCa(store, caOrName, options);
  const now = options.now ?? new Date();
  const period = options.periodSeconds ?? DEFAULT_CRL_PERIOD_SECONDS;
  const state = await store.crlState(ca.name);
  if (state && isFresh(state, now, period)) return toPublished(ca.name, state);
  return publish(store, ca, options, true);
}

/** A CA given by name is loaded from the engine's hierarchy (`passeport pki init`). */
function resolveCa(store: PkiStore, ca: IssuingCa | string, options: SecretOptions): Promise<IssuingCa> {
  if (typeof ca !== 'string') return Promise.resolve(ca);
  return engineCaLoader(store, { ...(options.secret ? { secret: options.secret } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) })(ca);
}

function isFresh(state: CrlState, now: Date, periodSeconds: number): boolean {
  if (state.stale || !state.der || !state.nextUpdate) return false;
  return state.nextUpdate.getTime() - now.getTime() > (periodSeconds * 1000) / 4;
}

function toPublished(caName: string, state: CrlState): PublishedCrl {
  return { caName, crlNumber: state.crlNumber, thisUpdate: state.thisUpdate!, nextUpdate: state.nextUpdate!, der: state.der! };
}

async function publish(store: PkiStore, ca: IssuingCa, options: CrlOptions, onlyIfNeeded: boolean): Promise<PublishedCrl> {
  const period = options.periodSeconds ?? DEFAULT_CRL_PERIOD_SECONDS;
  if (!Number.isInteger(period) || period < 60) throw new PkiError('INVALID_CRL_PERIOD', 'La période des CRL doit être d’au moins 60 secondes.');
  return store.transaction(async (tx) => {
    const state = await tx.lockCrlState(ca.name);
    const now = wholeSeconds(options.now ?? new Date());
    // Another instance may have published while this one waited for the lock.
    if (onlyIfNeeded && isFresh(state, now, period)) return toPublished(ca.name, state);
    const crl: PublishedCrl = { caName: ca.name, crlNumber: state.crlNumber + 1n, thisUpdate: now, nextUpdate: new Date(now.getTime() + period * 1000), der: new Uint8Array() };
    crl.der = new Uint8Array(await encodeCrl(ca, { ...crl, revocations: await tx.listRevocations(ca.name) }));
    await tx.saveCrl(crl);
    return crl;
  });
}
