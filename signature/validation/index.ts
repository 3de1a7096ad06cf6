/**
 * The universal PAdES verifier: any signed PDF in, a VerificationReport (ETSI EN 319 102-1
 * terms) out, plus its French HTML rendering. See docs/pades-verification.md.
 */
export { verifyPdf } from './verify-pdf.ts';
export type { VerifyOptions } from './verify-pdf.ts';
export { renderHtmlReport, documentHeadline, signatureHeadline } from './report-html.ts';
export type { Indication, ReachedLevel, SignatureReport, SignerSummary, SubIndication, VerificationReport } from './report.ts';
export type { PadesLevel } from '../levels.ts';
export type { Modification } from './modifications.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { VerifyLimits } from './limits.ts';
