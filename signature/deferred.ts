import type { HashAlgorithm, KeyAlgorithm } from '../certs/types.ts';
import { signedAttributes } from './cms/signed-data.ts';
import { digestRanges } from './placeholder.ts';
import { completeSignature, type CompleteOptions } from './pades.ts';
import { parseLevel, type PadesLevel } from './levels.ts';
import { prepareSignature, type Prepared, type SignatureOptions } from './prepare.ts';
import { hashOf } from './timestamping.ts';
import { SignatureError } from './errors.ts';

/**
 * Everything needed to finish a signature later, as plain JSON (the workflow
 * stores it): base64 strings and numbers, no key and no class instance.
 */
export interface PreparedSignature {
  format: 'passeport-pades-prepared/1';
  /** The PDF with the new revision appended and /Contents still zeroed. */
  pdf: string;
  inputLength: number;
  gap: [number, number];
  byteRange: [number, number, number, number];
  /** DER SET OF signed attributes: the bytes the signer signs. */
  signedAttributes: string;
  hash: HashAlgorithm;
  level: PadesLevel;
  keyAlgorithm: KeyAlgorithm;
  certificate: string;
  chain: string[];
}

export interface PrepareResult {
  /** DER SET OF signed attributes: sign these (hash with `hash`, then sign). */
  toBeSigned: Uint8Array;
  /** Their hash, for devices that sign a digest (PKCS#11 CKM_ECDSA, remote HSMs). */
  digestToSign: Uint8Array;
  state: PreparedSignature;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
const unb64 = (s: string): Buffer => Buffer.from(s, 'base64');

export function prepare(pdf: Uint8Array, options: SignatureOptions): PrepareResult {
  const p = prepareSignature(pdf, options);
  return {
    toBeSigned: p.signedAttrs,
    digestToSign: hashOf(p.signedAttrs, p.hash),
    state: {
      format: 'passeport-pades-prepared/1',
      pdf: b64(p.bytes),
      inputLength: p.inputLength,
      gap: [p.slot.gapStart, p.slot.gapEnd],
      byteRange: p.slot.byteRange,
      signedAttributes: b64(p.signedAttrs),
      hash: p.hash,
      level: p.level,
      keyAlgorithm: p.keyAlgorithm,
      certificate: b64(p.certificate),
      chain: p.chain.map(b64),
    },
  };
}

/**
 * Finishes a prepared signature. `signatureValue` is what the device returned:
 * PKCS#1/PSS bytes, DER ECDSA, or raw ECDSA r‖s (WebCrypto, PKCS#11).
 */
export async function complete(state: PreparedSignature, signatureValue: Uint8Array, options: CompleteOptions = {}): Promise<Buffer> {
  const p = restore(state);
  return completeSignature(p, signatureValue, options);
}

/** Rebuilds the prepared signature and checks the state was not altered since. */
function restore(s: PreparedSignature): Prepared {
  if (s?.format !== 'passeport-pades-prepared/1') throw new SignatureError('SIGN_PREPARED_INVALID', 'État de signature préparée inconnu ou corrompu.');
  const bytes = unb64(s.pdf);
  const [gapStart, gapEnd] = s.gap;
  const slot = { gapStart, gapEnd, byteRange: s.byteRange };
  const ok =
    s.byteRange[0] === 0 && s.byteRange[1] === gapStart && s.byteRange[2] === gapEnd && gapEnd + s.byteRange[3] === bytes.length && gapStart > s.inputLength && gapEnd > gapStart;
  if (!ok) throw new SignatureError('SIGN_PREPARED_INVALID', 'État de signature préparée incohérent.');
  const certificate = unb64(s.certificate);
  const signedAttrs = unb64(s.signedAttributes);
  const hash = s.hash;
  // The attributes bind the ByteRange digest: recomputing them proves the stored PDF is the prepared one.
  if (!signedAttributes(digestRanges(bytes, slot, hash), certificate, hash).equals(signedAttrs)) {
    throw new SignatureError('SIGN_PREPARED_ALTERED', 'Le document préparé a été modifié depuis la préparation : signature refusée.');
  }
  return { bytes, slot, signedAttrs, hash, level: parseLevel(s.level), keyAlgorithm: s.keyAlgorithm, certificate, chain: s.chain.map(unb64), inputLength: s.inputLength };
}
