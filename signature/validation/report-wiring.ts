/** The report's frame and the document's verdict drawn from its signatures' verdicts. */
import crypto from 'node:crypto';
import type { PdfRevisions } from '../../pdf/index.ts';
import type { Indication, SubIndication, VerificationReport } from './report.ts';
import type { VerifyOptions } from './verify-options.ts';
import { truncationReason } from './truncation.ts';

export function baseReport(bytes: Uint8Array, options: VerifyOptions): VerificationReport {
  return {
    file: options.fileName ?? '',
    size: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    verifiedAt: new Date().toISOString(),
    indication: 'INDETERMINATE',
    subIndication: null,
    reasons: [],
    revisions: 0,
    dss: null,
    requiredRgsLevel: options.requiredRgsLevel ?? null,
    signatures: [],
  };
}

export function failedReport(base: VerificationReport, indication: Indication, sub: SubIndication | null, reason: string): VerificationReport {
  return { ...base, indication, subIndication: sub, reasons: [reason], signatures: [] };
}

/** The document's verdict; `problems` are document-level reasons that forbid TOTAL_PASSED. */
export function conclude(report: VerificationReport, doc: PdfRevisions, bytes: Uint8Array, lastEnd: number, problems: string[]): VerificationReport {
  const sigs = report.signatures;
  if (sigs.length === 0) {
    report.indication = 'INDETERMINATE';
    report.subIndication = 'SIGNED_DATA_NOT_FOUND';
    report.reasons.push('le document ne contient aucune signature');
    return report;
  }
  const failed = sigs.find((s) => s.indication === 'TOTAL_FAILED');
  const indeterminate = sigs.find((s) => s.indication === 'INDETERMINATE');
  if (!isOnlyWhitespace(bytes, lastEnd) && !sigs.some((s) => s.modificationsAfter.length > 0)) {
    // Bytes after the last signature must be later revisions (analysed above) and nothing past their end.
    const lastSection = doc.sections[doc.sections.length - 1];
    const eof = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).lastIndexOf('%%EOF', undefined, 'latin1');
    const explained = lastSection !== undefined && lastSection.offset >= lastEnd && eof > lastSection.offset && isOnlyWhitespace(bytes, eof + 5);
    if (!explained) problems.push(truncationReason(bytes) ?? 'des données ont été ajoutées après la dernière signature');
  }
  report.reasons.push(...problems);
  const modified = sigs.some((s) => s.modificationsAfter.length > 0) || problems.length > 0;
  if (failed || modified) {
    report.indication = 'TOTAL_FAILED';
    report.subIndication = failed?.subIndication ?? (truncationReason(bytes) ? 'FORMAT_FAILURE' : 'SIG_CONSTRAINTS_FAILURE');
  } else if (indeterminate) {
    report.indication = 'INDETERMINATE';
    report.subIndication = indeterminate.subIndication;
  } else {
    report.indication = 'TOTAL_PASSED';
    report.subIndication = null;
  }
  const bad = sigs.filter((s) => s.indication !== 'TOTAL_PASSED').length;
  if (bad > 0) report.reasons.push(`${bad} signature(s) sur ${sigs.length} ne sont pas valides`);
  else if (report.indication === 'TOTAL_PASSED') report.reasons.push(`les ${sigs.length} signature(s) et horodatage(s) sont valides`);
  return report;
}

export function isOnlyWhitespace(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9 && c !== 0) return false;
  }
  return true;
}
