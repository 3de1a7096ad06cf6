import { DEFAULT_POLICY_MAP } from '../../certs/policies.ts';
import { validatePath } from '../../certs/validation/index.ts';
import { checkToken, tokenVerdict } from './timestamps-step.ts';
import { fail, revocationData, type Ctx, type Work } from './verification-work.ts';

export async function signatureStep(w: Work, works: Work[], ctx: Ctx): Promise<void> {
  const cms = w.cms!;
  const signer = w.signer!;
  const rev = revocationData(ctx, cms);
  // Step 4: best signature time.
  let bestTime: Date | undefined;
  for (const token of cms.signatureTimestamps.slice(0, 4)) {
    const v = await checkToken(token, cms.signature, ctx, cms.certificates, rev.crls, rev.ocspResponses);
    const verdict = tokenVerdict(v);
    if (verdict) {
      fail(w, verdict.indication, verdict.sub, `horodatage de la signature : ${verdict.reason}`);
      return;
    }
    if (v.genTime && (!bestTime || v.genTime < bestTime)) bestTime = v.genTime;
    if (v.chain) w.timestampChains.push(v.chain);
  }
  if (bestTime) {
    w.signatureTimestampOk = true;
    w.report.timestampTime = bestTime.toISOString();
  }
  const poe = works
    .filter((d) => d.found.type === 'document-timestamp' && d.docTimestampTime && d.signedEnd >= w.signedEnd)
    .map((d) => d.docTimestampTime!)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  if (poe) w.report.proofOfExistence = poe.toISOString();
  const validationTime = bestTime ?? poe ?? ctx.options.time ?? new Date();
  w.report.validationTime = validationTime.toISOString();

  // Step 5: chain.
  const chain = await validatePath({
    certificate: signer.der,
    intermediates: ctx.certificates.with(cms.certificates),
    trustAnchors: ctx.options.trustAnchors,
    crls: rev.crls,
    ocspResponses: rev.ocspResponses,
    time: validationTime,
    purpose: 'signature',
    policyMap: ctx.options.policyMap ?? DEFAULT_POLICY_MAP,
    ...(ctx.options.fetchRevocation ? { fetchRevocation: ctx.options.fetchRevocation } : {}),
  });
  w.chain = chain;
  w.report.rgsLevel = chain.rgsLevel;
  w.report.revocation = {
    status: chain.revocation.status,
    revokedAt: chain.revocation.revokedAt ? chain.revocation.revokedAt.toISOString() : null,
    source: chain.revocation.source ?? null,
  };
  if (chain.indication !== 'PASSED') {
    const sub = chain.subIndication ?? null;
    fail(w, chain.indication === 'FAILED' ? 'TOTAL_FAILED' : 'INDETERMINATE', sub, chain.reasons[0] ?? 'la chaîne de certification n’a pas pu être validée');
    for (const r of chain.reasons.slice(1)) w.report.reasons.push(r);
  }
  // Step 6: purpose and level.
  if (signer.keyUsage && !signer.keyUsage.usages.includes('nonRepudiation'))
    fail(w, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', 'le certificat n’est pas prévu pour signer (usage « non-répudiation » absent)');
  const required = ctx.options.requiredRgsLevel;
  if (required !== undefined) {
    w.report.meetsRequiredLevel = chain.rgsLevel !== null && chain.rgsLevel >= required;
    if (!w.report.meetsRequiredLevel) {
      fail(
        w,
        'INDETERMINATE',
        'CHAIN_CONSTRAINTS_FAILURE',
        `niveau de certificat insuffisant : RGS ${stars(required)} exigé, ${chain.rgsLevel ? `RGS ${stars(chain.rgsLevel)}` : 'aucun niveau RGS reconnu'}`,
      );
    }
  }
  if (!w.failed) w.report.reasons.push('signature valide');
}

function stars(level: number): string {
  return '*'.repeat(level);
}
