/**
 * What the steps of a verification share: each signature's work in progress (its report
 * filled step by step), the file-wide context, and how a step fails a signature.
 */
import type { PathValidationResult } from '../../certs/validation/index.ts';
import { PdfString, isPdfError } from '../../pdf/index.ts';
import type { ParsedCertificate } from '../../asn1/index.ts';
import { isPasseportError } from '../../errors/index.ts';
import { parsePdfDate, type FoundSignature } from './signature-fields.ts';
import type { ParsedCms } from './cms.ts';
import type { CertificateCache } from './integrity.ts';
import type { DssContent } from './dss.ts';
import type { Indication, SignatureReport, SubIndication } from './report.ts';
import type { VerifyOptions } from './verify-options.ts';

export interface Work {
  found: FoundSignature;
  report: SignatureReport;
  signedEnd: number;
  parts?: Uint8Array[];
  cms?: ParsedCms;
  signer?: ParsedCertificate;
  signatureTimestampOk: boolean;
  /** The TSA chains of the signature's timestamps, as validated. */
  timestampChains: PathValidationResult[];
  docTimestampTime?: Date;
  chain?: PathValidationResult;
  failed: boolean;
}

export interface Ctx {
  options: VerifyOptions;
  dss: DssContent | undefined;
  pool: Uint8Array[];
  cache: CertificateCache;
  certificates: UniqueList;
  crls: UniqueList;
  ocspResponses: UniqueList;
}

export function emptyReport(f: FoundSignature): SignatureReport {
  const m = f.dict.get('M');
  const claimed = m instanceof PdfString ? parsePdfDate(Buffer.from(m.bytes).toString('latin1')) : undefined;
  return {
    fieldName: f.fieldName,
    type: f.type,
    subFilter: f.subFilter ?? null,
    indication: 'TOTAL_PASSED',
    subIndication: null,
    reasons: [],
    padesLevel: f.type === 'signature' ? 'none' : null,
    signer: null,
    rgsLevel: null,
    meetsRequiredLevel: null,
    claimedTime: claimed ? claimed.toISOString() : null,
    timestampTime: null,
    validationTime: null,
    proofOfExistence: null,
    revocation: null,
    coveredWholeDocument: false,
    revisionIndex: 0,
    byteRange: null,
    certificationLevel: f.docMdpP ?? null,
    modificationsAfter: [],
  };
}

/** A step that throws (unexpected data deep in a chain or token) leaves its signature undecided, never the whole file. */
export async function guarded(w: Work, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
    fail(w, 'INDETERMINATE', null, `vérification impossible : ${isPasseportError(error) ? error.message : 'erreur inattendue'}`);
  }
}

export function fail(w: Work, indication: Indication, sub: SubIndication | null, reason: string): void {
  if (!w.failed) {
    w.report.indication = indication;
    w.report.subIndication = sub;
  }
  w.report.reasons.push(reason);
  w.failed = true;
}

export function revocationData(ctx: Ctx, cms: ParsedCms): { crls: Uint8Array[]; ocspResponses: Uint8Array[] } {
  return { crls: ctx.crls.with(cms.crls), ocspResponses: ctx.ocspResponses.with(cms.ocspResponses) };
}

/**
 * The same certificate or CRL often sits in the CMS and in the DSS: each is passed
 * once. The file-wide list is deduplicated once; each signature only adds its own.
 */
export class UniqueList {
  private readonly keys: string[] = [];
  private readonly items: Uint8Array[] = [];

  constructor(items: Iterable<Uint8Array>) {
    const seen = new Set<string>();
    for (const b of items) {
      const key = keyOf(b);
      if (seen.has(key)) continue;
      seen.add(key);
      this.keys.push(key);
      this.items.push(b);
    }
  }

  /** `first`, then the shared items, without repeats (the signature's own data comes first). */
  with(first: Uint8Array[]): Uint8Array[] {
    if (first.length === 0) return this.items;
    const own: Uint8Array[] = [];
    const seen = new Set<string>();
    for (const b of first) {
      const key = keyOf(b);
      if (seen.has(key)) continue;
      seen.add(key);
      own.push(b);
    }
    this.items.forEach((b, i) => {
      if (!seen.has(this.keys[i]!)) own.push(b);
    });
    return own;
  }
}

const keyOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
