import { DEFAULT_POLICY_MAP } from '../../certs/policies.ts';
import { verifyTimestampToken, type PathValidationResult, type TimestampVerification } from '../../certs/validation/index.ts';
import { OID, type ParsedCertificate } from '../../asn1/index.ts';
import { parseCms, type ParsedCms } from './cms.ts';
import { embeddedCertificateProblem, type CertificateCache } from './integrity.ts';
import type { Indication, SubIndication } from './report.ts';
import { fail, revocationData, type Ctx, type Work } from './verification-work.ts';

export async function checkToken(token: Uint8Array, data: Uint8Array, ctx: Ctx, extraCerts: Uint8Array[], crls: Uint8Array[], ocsps: Uint8Array[]): Promise<TimestampVerification> {
  // The same strict structure and certificate checks as for signatures, before the token's own verification.
  let parsed: ParsedCms;
  try {
    parsed = parseCms(token);
  } catch (error) {
    return brokenToken(`jeton d’horodatage mal formé (${(error as Error).message})`);
  }
  if (parsed.eContentType !== OID.tstInfo || parsed.trailingNonZero) return brokenToken('jeton d’horodatage mal formé');
  const problem = embeddedCertificateProblem(parsed.certificates, [...extraCerts, ...ctx.pool, ...ctx.options.trustAnchors], ctx.cache);
  if (problem?.kind === 'altered') return brokenToken(problem.reason);
  const v = await verifyTimestampToken(token, {
    data,
    ber: true,
    trustAnchors: ctx.options.trustAnchors,
    intermediates: ctx.certificates.with(extraCerts),
    crls,
    ocspResponses: ocsps,
    policyMap: ctx.options.policyMap ?? DEFAULT_POLICY_MAP,
    ...(ctx.options.fetchRevocation ? { fetchRevocation: ctx.options.fetchRevocation } : {}),
  });
  return problem && v.ok ? unknownIssuerToken(v, problem.reason) : v;
}

/** A token that verified while carrying a certificate whose issuer is unknown: undecided, as for a signature. */
function unknownIssuerToken(v: TimestampVerification, reason: string): TimestampVerification {
  const chain: PathValidationResult | undefined = v.chain && { ...v.chain, indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND', reasons: [reason] };
  return { ...v, ok: false, reasons: [reason], ...(chain ? { chain } : {}) };
}

function brokenToken(reason: string): TimestampVerification {
  return { ok: false, reasons: [reason], imprintMatches: true, signatureValid: false, essCertIdMatches: false, certificates: [] };
}

/** Maps a token verification onto the timestamp's own verdict. */
export function tokenVerdict(v: TimestampVerification): { indication: Indication; sub: SubIndication | null; reason: string } | undefined {
  if (v.ok) return undefined;
  const reason = v.reasons[0] ?? 'horodatage invalide';
  if (!v.imprintMatches) return { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE', reason };
  if (!v.signatureValid) return { indication: 'TOTAL_FAILED', sub: 'SIG_CRYPTO_FAILURE', reason };
  if (!v.essCertIdMatches) return { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', reason };
  const chain = v.chain;
  if (chain && chain.indication !== 'PASSED') {
    return { indication: chain.indication === 'FAILED' ? 'TOTAL_FAILED' : 'INDETERMINATE', sub: chain.subIndication ?? null, reason };
  }
  return { indication: 'INDETERMINATE', sub: null, reason };
}

export async function documentTimestampStep(w: Work, ctx: Ctx): Promise<void> {
  const cms = w.cms!;
  const rev = revocationData(ctx, cms);
  const v = await checkToken(cms.der, Buffer.concat(w.parts!), ctx, cms.certificates, rev.crls, rev.ocspResponses);
  if (v.tsaCertificate) {
    const info = safeInfo(v.tsaCertificate, ctx.cache);
    if (info) w.report.signer = { subject: info.subject, serialNumber: info.serialNumber, issuer: info.issuer };
  }
  if (v.genTime) w.report.timestampTime = v.genTime.toISOString();
  w.report.validationTime = v.genTime?.toISOString() ?? null;
  const verdict = tokenVerdict(v);
  if (verdict) {
    fail(w, verdict.indication, verdict.sub, `horodatage du document : ${verdict.reason}`);
    return;
  }
  w.docTimestampTime = v.genTime;
  w.report.reasons.push('horodatage du document valide');
}

function safeInfo(der: Uint8Array, cache: CertificateCache): ParsedCertificate | undefined {
  try {
    return cache.info(der);
  } catch {
    return undefined;
  }
}
