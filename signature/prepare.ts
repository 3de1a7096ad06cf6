import type { HashAlgorithm, KeyAlgorithm } from '../certs/types.ts';
import type { PolicyLevelMap } from '../certs/policies.ts';
import { DEFAULT_RECT, appearanceFromCertificate, appearanceStream, type AppearanceText, type Rect } from './appearance.ts';
import { estimateSignedDataSize, signedAttributes } from './cms/signed-data.ts';
import { signingAlgorithmOf } from './keys.ts';
import { atLeast, pdfDate, type PadesLevel } from './levels.ts';
import { addSignatureField, findField, freeRect } from './fields.ts';
import { IncrementalUpdate, PdfDict, PdfName, PdfRef, PdfString, openPdf, type PdfState, type PdfValue } from '../pdf/index.ts';
import { BYTE_RANGE_PLACEHOLDER, CONTENTS_PLACEHOLDER, digestRanges, fixByteRange, type SignatureSlot } from './placeholder.ts';
import { SignatureError } from './errors.ts';

/** Room kept for a signature timestamp when the TSA could not be asked beforehand. */
export const DEFAULT_TIMESTAMP_RESERVE = 10_240;

export interface SignatureOptions {
  certificate: Uint8Array;
  /** From the issuer up, optionally including the root. */
  chain: readonly Uint8Array[];
  hash?: HashAlgorithm;
  level?: PadesLevel;
  /** Defaults to what the certificate's key implies (PKCS#1 v1.5 for RSA). */
  keyAlgorithm?: KeyAlgorithm;
  fieldName?: string;
  /** 1-based page for the widget; the first page by default. */
  page?: number;
  /** A visible appearance: `true` for the default box, or its rectangle and text. */
  appearance?: boolean | { rect?: Rect; text?: Partial<AppearanceText> };
  policyMap?: PolicyLevelMap;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Certification (DocMDP P 2): only on the document's first signature. */
  certify?: boolean;
  /** Claimed signing time for /M (now by default). */
  signingTime?: Date;
  /** DER bytes reserved for the timestamp token (B-T and above). */
  timestampReserve?: number;
  /** Overrides the whole /Contents reservation, in DER bytes. */
  contentsSize?: number;
}

export interface Prepared {
  bytes: Buffer;
  slot: SignatureSlot;
  signedAttrs: Buffer;
  hash: HashAlgorithm;
  level: PadesLevel;
  keyAlgorithm: KeyAlgorithm;
  certificate: Uint8Array;
  chain: Uint8Array[];
  inputLength: number;
}

/**
 * Appends the signature field and a dictionary with placeholders, fixes the
 * ByteRange and returns the signed attributes to sign.
 */
export function prepareSignature(pdf: Uint8Array, o: SignatureOptions): Prepared {
  const hash = o.hash ?? 'SHA-256';
  const level = o.level ?? 'B-B';
  const keyAlgorithm = o.keyAlgorithm ?? signingAlgorithmOf(o.certificate, hash);
  const reader = openPdf(pdf);
  if (docMdpPermission(reader) === 1) {
    throw new SignatureError('SIGN_DOCUMENT_LOCKED', 'Le document est certifié sans aucune modification permise (DocMDP P1) : il ne peut plus être signé.');
  }
  const update = new IncrementalUpdate(reader);
  const when = o.signingTime ?? new Date();
  const reserve = o.contentsSize ?? estimateSignedDataSize(o.certificate, o.chain) + (atLeast(level, 'B-T') ? (o.timestampReserve ?? DEFAULT_TIMESTAMP_RESERVE) : 0);

  const sig = new PdfDict({
    Type: new PdfName('Sig'),
    Filter: new PdfName('Adobe.PPKLite'),
    SubFilter: new PdfName('ETSI.CAdES.detached'),
    M: new PdfString(Buffer.from(pdfDate(when), 'latin1')),
  });
  if (o.name) sig.set('Name', PdfString.text(o.name));
  if (o.reason) sig.set('Reason', PdfString.text(o.reason));
  if (o.location) sig.set('Location', PdfString.text(o.location));
  if (o.contactInfo) sig.set('ContactInfo', PdfString.text(o.contactInfo));
  if (o.certify) {
    if (hasSignatures(reader)) throw new SignatureError('SIGN_CERTIFY_NOT_FIRST', 'La certification (DocMDP) n’est possible que pour la première signature du document.');
    sig.set('Reference', [
      new PdfDict({
        Type: new PdfName('SigRef'),
        TransformMethod: new PdfName('DocMDP'),
        TransformParams: new PdfDict({ Type: new PdfName('TransformParams'), P: 2, V: new PdfName('1.2') }),
      }),
    ]);
  }
  sig.set('ByteRange', BYTE_RANGE_PLACEHOLDER());
  sig.set('Contents', CONTENTS_PLACEHOLDER(reserve));
  const sigRef = update.add(sig);

  let rect: Rect | undefined;
  let appearanceRef: PdfRef | undefined;
  if (o.appearance) {
    const custom = typeof o.appearance === 'object' ? o.appearance : {};
    // A pre-placed field keeps its own place; a new one goes where nothing else is drawn.
    const placed = o.fieldName ? findField(reader, o.fieldName)?.rect : undefined;
    const size: [number, number] = [DEFAULT_RECT[2] - DEFAULT_RECT[0], DEFAULT_RECT[3] - DEFAULT_RECT[1]];
    rect = custom.rect ?? placed ?? freeRect(reader, o.page ?? 1, size);
    const text = { ...appearanceFromCertificate(o.certificate, when, o.policyMap), ...custom.text };
    appearanceRef = update.add(appearanceStream(text, rect));
  }
  addSignatureField(reader, update, {
    valueRef: sigRef,
    ...(o.fieldName ? { fieldName: o.fieldName } : {}),
    ...(o.page ? { page: o.page } : {}),
    ...(rect ? { rect } : {}),
    ...(appearanceRef ? { appearanceRef } : {}),
    ...(o.certify ? { editCatalog: (c: PdfDict) => c.set('Perms', new PdfDict({ DocMDP: sigRef })) } : {}),
  });
  const { bytes, offsets } = update.build();
  const slot = fixByteRange(bytes, offsets.get(sigRef.num)!);
  const digest = digestRanges(bytes, slot, hash);
  return {
    bytes,
    slot,
    signedAttrs: signedAttributes(digest, o.certificate, hash),
    hash,
    level,
    keyAlgorithm,
    certificate: o.certificate,
    chain: [...o.chain],
    inputLength: pdf.length,
  };
}

/** Whether any field of the form already holds a signature value. */
export function hasSignatures(reader: PdfState): boolean {
  const acro = reader.dict(reader.root()?.get('AcroForm'));
  const fields = reader.resolve(acro?.get('Fields'));
  if (!Array.isArray(fields)) return false;
  const stack: PdfValue[] = [...fields];
  for (let n = 0; stack.length && n < 10_000; n++) {
    const f = reader.dict(stack.pop());
    if (!f) continue;
    if (f.get('FT') instanceof PdfName && (f.get('FT') as PdfName).name === 'Sig' && f.get('V') !== undefined) return true;
    const kids = reader.resolve(f.get('Kids'));
    if (Array.isArray(kids)) stack.push(...kids);
  }
  return false;
}

/** The /P of the certification signature named by the catalog's /Perms /DocMDP, if any. */
export function docMdpPermission(reader: PdfState): number | null {
  const sig = reader.dict(reader.dict(reader.root()?.get('Perms'))?.get('DocMDP'));
  const refs = reader.resolve(sig?.get('Reference'));
  for (const r of Array.isArray(refs) ? refs : []) {
    const ref = reader.dict(r);
    const method = ref?.get('TransformMethod');
    if (!(method instanceof PdfName) || method.name !== 'DocMDP') continue;
    const p = reader.resolve(reader.dict(ref?.get('TransformParams'))?.get('P'));
    return typeof p === 'number' ? p : 2;
  }
  return null;
}
