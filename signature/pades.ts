import type { HashAlgorithm, Signer, Timestamper } from '../certs/types.ts';
import { ecdsaRawToDer, parse } from '../asn1/index.ts';
import { buildSignedData } from './cms/signed-data.ts';
import { appendDocumentTimestamp } from './doc-timestamp.ts';
import { appendDss } from './dss.ts';
import { embeddedSignatures } from './embedded.ts';
import { signatureMatches } from './keys.ts';
import { atLeast, type PadesLevel } from './levels.ts';
import { openPdf } from '../pdf/index.ts';
import { embedContents } from './placeholder.ts';
import { prepareSignature, type Prepared, type SignatureOptions } from './prepare.ts';
import { hashOf, probeToken, requestTimestamp, timestampReserve } from './timestamping.ts';
import { checkSignerChain } from './signer-check.ts';
import { gatherValidationData, type ValidationDataOptions } from './validation-data.ts';
import { SignatureError } from './errors.ts';

export interface CompleteOptions extends ValidationDataOptions {
  /** Required from B-T up. */
  timestamper?: Timestamper;
}

export type SignOptions = Omit<SignatureOptions, 'certificate' | 'chain' | 'keyAlgorithm'> & CompleteOptions;

/** Signs with any Signer: prepare, let the key sign the attributes, complete. */
export async function signPdf(pdf: Uint8Array, signer: Signer, options: SignOptions = {}): Promise<Buffer> {
  const level = options.level ?? 'B-B';
  const hash = options.hash ?? 'SHA-256';
  requireTimestamper(level, options.timestamper);
  const timestampReserveBytes = options.timestamper && atLeast(level, 'B-T') ? await timestampReserve(options.timestamper, hash) : undefined;
  const o = await checkedSigner(signer.certificate, signer.chain, level, options);
  const prepared = prepareSignature(pdf, {
    ...options,
    certificate: signer.certificate,
    chain: signer.chain,
    keyAlgorithm: signer.keyAlgorithm,
    ...(timestampReserveBytes ? { timestampReserve: timestampReserveBytes } : {}),
  });
  const value = await signer.sign(prepared.signedAttrs, hash);
  return finishSignature(prepared, value, o, !signer.selfVerifying);
}

/** Refuses an expired or revoked signer; what the check gathered becomes material for the DSS. */
async function checkedSigner<T extends CompleteOptions>(certificate: Uint8Array, chain: readonly Uint8Array[], level: PadesLevel, o: T): Promise<T> {
  const found = await checkSignerChain(certificate, chain, level, o);
  if (!found) return o;
  const m = o.material ?? {};
  const both = (a: Uint8Array[] | undefined, b: Uint8Array[] | undefined): Uint8Array[] => [...(a ?? []), ...(b ?? [])];
  return { ...o, material: { certificates: both(m.certificates, found.certificates), crls: both(m.crls, found.crls), ocsps: both(m.ocsps, found.ocsps) } };
}

function requireTimestamper(level: PadesLevel, t: Timestamper | undefined): asserts t is Timestamper {
  if (atLeast(level, 'B-T') && !t) throw new SignatureError('SIGN_TSA_REQUIRED', `Le niveau ${level} exige une autorité d’horodatage (TSA).`);
}

/** Turns a raw ECDSA r‖s into DER; leaves DER and RSA values alone. */
export function normaliseSignatureValue(value: Uint8Array, p: Pick<Prepared, 'keyAlgorithm'>): Uint8Array {
  if (p.keyAlgorithm.name !== 'ECDSA') return value;
  try {
    if (value[0] === 0x30 && parse(value).tag === 0x30) return value;
  } catch {
    // not DER: raw r‖s
  }
  return ecdsaRawToDer(value);
}

/**
 * Embeds the signature value (plus timestamp) and adds the later updates of B-LT and B-LTA.
 * The value is checked against the certificate first: it comes from outside (a browser,
 * a token, a remote key).
 */
export async function completeSignature(p: Prepared, signatureValue: Uint8Array, o: CompleteOptions = {}): Promise<Buffer> {
  requireTimestamper(p.level, o.timestamper);
  return finishSignature(p, signatureValue, await checkedSigner(p.certificate, p.chain, p.level, o), true);
}

async function finishSignature(p: Prepared, signatureValue: Uint8Array, o: CompleteOptions, checkValue: boolean): Promise<Buffer> {
  requireTimestamper(p.level, o.timestamper);
  if (p.slot.gapStart <= p.inputLength) throw new SignatureError('SIGN_PREPARED_INVALID', 'Emplacement de signature incohérent : il précède la fin du document d’origine.');
  const signature = normaliseSignatureValue(signatureValue, p);
  if (checkValue && !signatureMatches(p.certificate, p.keyAlgorithm, p.hash, p.signedAttrs, signature)) {
    throw new SignatureError('SIGN_VALUE_MISMATCH', 'La valeur de signature ne correspond pas au certificat ou aux données préparées.');
  }
  let timestampToken: Uint8Array | undefined;
  if (atLeast(p.level, 'B-T')) {
    timestampToken = await requestTimestamp(o.timestamper!, hashOf(signature, p.hash), p.hash);
  }
  const cms = buildSignedData({
    signedAttrs: p.signedAttrs,
    signature,
    certificate: p.certificate,
    chain: p.chain,
    hash: p.hash,
    keyAlgorithm: p.keyAlgorithm,
    ...(timestampToken ? { timestampToken } : {}),
  });
  // The prepared bytes are this call's own (fresh from prepare or from the stored state): filled in place.
  const bytes = p.bytes;
  embedContents(bytes, p.slot, cms);
  if (!atLeast(p.level, 'B-LT')) return bytes;
  // B-LT settles every signature and timestamp of the document, not only the new one.
  return extendFrom(bytes, p.level, p.hash, o, validationTargets(bytes));
}

export interface ExtendOptions extends CompleteOptions {
  level: 'B-LT' | 'B-LTA';
  hash?: HashAlgorithm;
}

/**
 * Adds validation data for every signature and the last document timestamp,
 * then (B-LTA) a new document timestamp: the archive's re-timestamping.
 */
export async function extendPdf(pdf: Uint8Array, o: ExtendOptions): Promise<Buffer> {
  // The signatures already carry their timestamps: only the document timestamp needs a TSA.
  if (o.level === 'B-LTA') requireTimestamper(o.level, o.timestamper);
  const targets = validationTargets(pdf);
  if (!targets.length) throw new SignatureError('SIGN_NOTHING_TO_EXTEND', 'Le document ne contient aucune signature à prolonger.');
  return extendFrom(pdf, o.level, o.hash ?? 'SHA-256', o, targets);
}

/** Every signature of the document and its last document timestamp (earlier ones are settled by the later). */
function validationTargets(pdf: Uint8Array): Uint8Array[] {
  const found = embeddedSignatures(openPdf(pdf));
  const signatures = found.filter((s) => s.kind === 'signature').map((s) => s.cms);
  if (!signatures.length) return [];
  const lastTimestamp = found.filter((s) => s.kind === 'document-timestamp').pop();
  return lastTimestamp ? [...signatures, lastTimestamp.cms] : signatures;
}

async function extendFrom(pdf: Uint8Array, level: PadesLevel, hash: HashAlgorithm, o: CompleteOptions, cmsList: Uint8Array[]): Promise<Buffer> {
  // Asked first, so nothing is done when the TSA is down; its token's chain joins the DSS
  // before the document timestamp, which another TSA's earlier data would not settle.
  const probe = atLeast(level, 'B-LTA') ? await probeToken(o.timestamper!, hash) : undefined;
  const data = await gatherValidationData(cmsList, o, probe ? { alsoFor: [probe] } : {});
  const withDss = appendDss(pdf, data);
  if (!atLeast(level, 'B-LTA')) return withDss;
  return appendDocumentTimestamp(withDss, o.timestamper!, hash);
}
