/**
 * The verifier's entry and its order of steps; each step is its own file:
 * fields-step (signature fields, DSS), format-step (ByteRange, SubFilter, CMS structure),
 * modifications-step, integrity-step, timestamps-step (document and signature timestamps),
 * chain-step (best signature time, chain, purpose and RGS level), level-step (PAdES level),
 * report-wiring (the document's verdict). They share verification-work.ts.
 */
import { Budget, PdfError, PdfRevisions, isPdfError } from '../../pdf/index.ts';
import { isPasseportError } from '../../errors/index.ts';
import { DEFAULT_LIMITS, type VerifyLimits } from './limits.ts';
import { CertificateCache, alteredEmbeddedCertificate } from './integrity.ts';
import type { VerificationReport } from './report.ts';
import type { VerifyOptions } from './verify-options.ts';
import { readSignatureFields } from './fields-step.ts';
import { formatStep } from './format-step.ts';
import { modificationsAfter, updateAnalyses } from './modifications-step.ts';
import { integrityStep } from './integrity-step.ts';
import { documentTimestampStep } from './timestamps-step.ts';
import { signatureStep } from './chain-step.ts';
import { padesLevel } from './level-step.ts';
import { baseReport, conclude, failedReport, isOnlyWhitespace } from './report-wiring.ts';
import { endsInsideRevision } from './byte-range.ts';
import { truncationReason } from './truncation.ts';
import { UniqueList, fail, guarded, type Ctx, type Work } from './verification-work.ts';

export type { VerifyOptions } from './verify-options.ts';

/** Verifies every signature and document timestamp of a PDF; never throws on bad input. */
export async function verifyPdf(bytes: Uint8Array, options: VerifyOptions): Promise<VerificationReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const base = baseReport(bytes, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<VerificationReport>((resolve) => {
    timer = setTimeout(() => resolve(failedReport(base, 'INDETERMINATE', null, 'la vérification a dépassé le temps imparti')), limits.timeBudgetMs);
  });
  try {
    return await Promise.race([run(bytes, options, limits, base), timeout]);
  } catch (error) {
    if (isPdfError(error, 'PDF_TIME_BUDGET')) return failedReport(base, 'INDETERMINATE', null, 'la vérification a dépassé le temps imparti');
    if (error instanceof PdfError) return failedReport(base, 'TOTAL_FAILED', 'FORMAT_FAILURE', truncationReason(bytes) ?? `fichier PDF illisible : ${error.detail}`);
    // Node's own messages are English: a person reads only that the reader could not go on.
    if (error instanceof RangeError) return failedReport(base, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'fichier PDF illisible : sa structure dépasse ce que le lecteur sait traiter');
    if (isPasseportError(error)) return failedReport(base, 'INDETERMINATE', null, `erreur pendant la vérification : ${error.message}`);
    return failedReport(base, 'INDETERMINATE', null, 'erreur inattendue pendant la vérification');
  } finally {
    clearTimeout(timer);
  }
}

async function run(bytes: Uint8Array, options: VerifyOptions, limits: VerifyLimits, report: VerificationReport): Promise<VerificationReport> {
  const budget = new Budget(limits.timeBudgetMs);
  const doc = new PdfRevisions(bytes, { limits, budget });
  const latest = doc.latest();
  report.revisions = doc.sections.length;
  const { allFound, found, dss } = readSignatureFields(latest, limits);
  if (dss) report.dss = { certificates: dss.certificates.length, crls: dss.crls.length, ocspResponses: dss.ocspResponses.length, vri: dss.vriCount };

  const works: Work[] = found.map((f) => formatStep(f, bytes, limits));
  works.sort((a, b) => a.signedEnd - b.signedEnd);

  const analysis = updateAnalyses(doc);

  const pool = [...(dss?.certificates ?? []), ...(options.intermediates ?? [])];
  const cache = new CertificateCache();
  for (const w of works) {
    w.report.revisionIndex = Math.max(0, doc.sections.filter((s) => s.offset < w.signedEnd).length - 1);
    if (!w.failed && endsInsideRevision(doc, w.signedEnd)) fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'la signature ne couvre pas toute la révision qui la contient');
    if (w.failed) continue;
    budget.check();
    w.report.modificationsAfter = modificationsAfter(doc, w, analysis);
    integrityStep(w, [...pool, ...options.trustAnchors], cache);
  }

  // Document timestamps first: they give proof of existence to what they cover.
  const ctx: Ctx = {
    options,
    dss,
    pool,
    cache,
    certificates: new UniqueList(pool),
    crls: new UniqueList([...(dss?.crls ?? []), ...(options.crls ?? [])]),
    ocspResponses: new UniqueList([...(dss?.ocspResponses ?? []), ...(options.ocspResponses ?? [])]),
  };
  for (const w of works) if (!w.failed && w.found.type === 'document-timestamp') await guarded(w, () => documentTimestampStep(w, ctx));
  for (const w of works) if (!w.failed && w.found.type === 'signature') await guarded(w, () => signatureStep(w, works, ctx));

  const lastEnd = Math.max(0, ...works.map((w) => w.signedEnd));
  for (const w of works) {
    if (w.found.type === 'signature' && w.cms) w.report.padesLevel = padesLevel(w, works, doc, dss);
    w.report.coveredWholeDocument = w.signedEnd > 0 && isOnlyWhitespace(bytes, w.signedEnd);
    if (w.report.modificationsAfter.length > 0 && w.report.indication !== 'TOTAL_FAILED') {
      w.report.indication = 'TOTAL_FAILED';
      w.report.subIndication = 'SIG_CONSTRAINTS_FAILURE';
    }
    if (w.report.modificationsAfter.length > 0) {
      w.report.reasons.unshift(`le document a été modifié après la signature : ${w.report.modificationsAfter.map((m) => m.description).join(' ; ')}`);
    }
  }
  report.signatures = works.map((w) => w.report);
  const problems: string[] = [];
  // The DSS sits in unsigned revisions: a damaged certificate there is tampering even when a good copy exists elsewhere.
  const damaged = dss ? alteredEmbeddedCertificate(dss.certificates, [...pool, ...options.trustAnchors, ...works.flatMap((w) => w.cms?.certificates ?? [])], cache) : undefined;
  if (damaged) problems.push(`données de validation (DSS) : ${damaged}`);
  if (allFound.length > limits.maxSignatures) problems.push(`plus de ${limits.maxSignatures} signatures : les suivantes n’ont pas été vérifiées`);
  return conclude(report, doc, bytes, lastEnd, problems);
}
