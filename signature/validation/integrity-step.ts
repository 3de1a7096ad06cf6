import { checkIntegrity, type CertificateCache } from './integrity.ts';
import { fail, type Work } from './verification-work.ts';
import { SHA1_SUBFILTER, SHA1_WEAK_REASON } from './legacy-sha1.ts';

/** Step 3. */
export function integrityStep(w: Work, pool: Uint8Array[], cache: CertificateCache): void {
  const cms = w.cms!;
  const isDocTs = w.found.type === 'document-timestamp';
  if (isDocTs) return; // the token's own checks run in documentTimestampStep
  const result = checkIntegrity(cms, w.parts!, [...cms.certificates, ...pool], w.found.subFilter === 'ETSI.CAdES.detached', cache);
  if (result.signer) {
    w.signer = result.signer;
    w.report.signer = { subject: result.signer.subject, serialNumber: result.signer.serialNumber, issuer: result.signer.issuer };
  }
  if (cms.signingTime && !w.report.claimedTime) w.report.claimedTime = cms.signingTime.toISOString();
  if (result.indication) fail(w, result.indication, result.subIndication ?? null, result.reasons[0] ?? 'signature invalide');
  else if (w.found.subFilter === SHA1_SUBFILTER) fail(w, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', SHA1_WEAK_REASON);
}
