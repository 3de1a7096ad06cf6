import { DEFAULT_POLICY_MAP, rgsLevelOf, type RgsLevel } from '../policies.ts';
import { tryParseCertificate, type ParsedCertificate } from '../../asn1/index.ts';
import { buildPaths, deepestIssuer, sameEntity } from './building.ts';
import { checkPath, type Failure, type PathPolicies } from './path-checks.ts';
import { checkRevocation, RevocationContext, type CrlIssuerTrust } from './revocation.ts';
import type { CertificateRevocation, PathIndication, PathSubIndication, PathValidationInput, PathValidationResult, ValidationPurpose } from './types.ts';

/** Most decisive first: the first one found in a result becomes its sub-indication. */
const PRIORITY: readonly PathSubIndication[] = [
  'FORMAT_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'NOT_YET_VALID',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'KEY_USAGE_FAILURE',
  'POLICY_PROCESSING_ERROR',
  'RGS_LEVEL_TOO_LOW',
  'OUT_OF_BOUNDS_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'REVOCATION_OUT_OF_BOUNDS_NO_POE',
  'TRY_LATER',
  'NO_CERTIFICATE_CHAIN_FOUND',
];

/** EN 319 102-1 puts these under TOTAL-FAILED; the engine's own codes are final too. */
const FAILED: ReadonlySet<PathSubIndication> = new Set(['FORMAT_FAILURE', 'SIG_CRYPTO_FAILURE', 'REVOKED', 'NOT_YET_VALID', 'KEY_USAGE_FAILURE', 'RGS_LEVEL_TOO_LOW']);

const DEFAULT_MAX_PATH = 10;
/** Structurally sound candidate paths tried in turn when revocation fails the first. */
const MAX_PATHS_TO_REVOKE = 4;
/** A CRL signed by a certificate outside the path is trusted through that certificate's own path, nested at most this deep. */
const MAX_CRL_ISSUER_DEPTH = 3;

export async function validatePath(input: PathValidationInput): Promise<PathValidationResult> {
  try {
    return await validate(input);
  } catch (error) {
    // Hostile input must give a result, never an exception in the verifier.
    const failure: Failure = { sub: 'FORMAT_FAILURE', reason: `validation interrompue par une donnée invalide : ${(error as Error).message}` };
    return result({ failures: [failure], notes: [], leaf: null, input });
  }
}

/** One certificate to validate: the end entity (depth 0), or a CRL issuer met on the way. */
interface Target {
  certificate: ParsedCertificate;
  anchors: ParsedCertificate[];
  purpose: ValidationPurpose;
  revocationRequired: boolean;
  depth: number;
}

interface Evaluation {
  path: ParsedCertificate[];
  failures: Failure[];
  records: CertificateRevocation[];
  policies: PathPolicies;
}

async function validate(input: PathValidationInput): Promise<PathValidationResult> {
  const notes: string[] = [];
  const leaf = tryParseCertificate(input.certificate);
  if (leaf instanceof Error) {
    return result({ failures: [{ sub: 'FORMAT_FAILURE', reason: leaf.message }], notes, leaf: null, input });
  }
  if (!(input.time instanceof Date) || Number.isNaN(input.time.getTime())) {
    return result({ failures: [{ sub: 'FORMAT_FAILURE', reason: 'date de validation invalide' }], notes, leaf, input });
  }
  const anchors = parseAll(input.trustAnchors, 'ancre de confiance', notes);
  const pool = parseAll(input.intermediates, 'certificat intermédiaire', notes);
  const maxLength = Math.max(1, Math.min(input.maxPathLength ?? DEFAULT_MAX_PATH, 20));

  /** CRL issuers being validated: one whose own status is on the CRL it signs is not validated again. */
  const inProgress = new Set<ParsedCertificate>();
  const trusted = new Map<ParsedCertificate, Map<ParsedCertificate, string | null>>();
  const trustCrlIssuer: CrlIssuerTrust = async (signer, path, index, depth) => {
    if (path.slice(index + 1).some((c) => sameEntity(c, signer)) || inProgress.has(signer)) return null;
    const anchor = path[path.length - 1]!;
    const known = trusted.get(signer)?.get(anchor);
    if (known !== undefined) return known;
    if (depth >= MAX_CRL_ISSUER_DEPTH) return `la chaîne de l'émetteur de LCR « ${signer.subject} » est trop imbriquée`;
    inProgress.add(signer);
    let verdict: string | null;
    try {
      // RFC 5280 §6.3.3 (f): the CRL issuer's path ends at the anchor of the certificate's.
      const evaluation = await evaluate({ certificate: signer, anchors: [anchor], purpose: 'any', revocationRequired: input.revocationRequiredForCAs === true, depth: depth + 1 });
      const first = sortFailures(evaluation.failures)[0];
      verdict = first ? `la chaîne de son émetteur « ${signer.subject} » n'est pas validée : ${first.reason}` : null;
    } finally {
      inProgress.delete(signer);
    }
    if (!trusted.has(signer)) trusted.set(signer, new Map());
    trusted.get(signer)!.set(anchor, verdict);
    return verdict;
  };
  const ctx = new RevocationContext(input.time, input.crls ?? [], input.ocspResponses ?? [], [...pool, ...anchors], trustCrlIssuer, input.fetchRevocation);

  async function evaluate(target: Target): Promise<Evaluation> {
    const paths = buildPaths(target.certificate, pool, target.anchors, maxLength);
    if (paths.length === 0) {
      const missing = deepestIssuer(target.certificate, pool, maxLength);
      const reason = `aucun chemin vers une ancre de confiance : l'émetteur « ${missing.issuer} » du certificat « ${missing.subject} » est introuvable ou non reconnu`;
      return { path: [], failures: [{ sub: 'NO_CERTIFICATE_CHAIN_FOUND', reason }], records: [], policies: { valid: [], level: [] } };
    }
    const checked = paths.map((path) => {
      const check = checkPath(path, input.time, target.purpose, target.depth === 0 ? input : {});
      if (target.depth === 0 && input.requiredRgsLevel !== undefined) check.failures.push(...rgsFailures(path[0]!, check.policies().level, input.requiredRgsLevel, input));
      return { path, check };
    });
    checked.sort((a, b) => rank(a.check.failures) - rank(b.check.failures) || a.check.failures.length - b.check.failures.length);
    let best: Evaluation | undefined;
    for (const [i, { path, check }] of checked.entries()) {
      if (i > 0 && (check.failures.length > 0 || i >= MAX_PATHS_TO_REVOKE)) break;
      const evaluation = await withRevocation(path, check.failures, target);
      if (!best || rank(evaluation.failures) < rank(best.failures)) {
        best = { ...evaluation, policies: check.policies() };
      }
      if (evaluation.failures.length === 0) break;
    }
    return best!;
  }

  async function withRevocation(path: ParsedCertificate[], structural: Failure[], target: Target): Promise<Pick<Evaluation, 'path' | 'failures' | 'records'>> {
    const failures = [...structural];
    const records: CertificateRevocation[] = [];
    if (failures.some((f) => f.sub === 'FORMAT_FAILURE' || f.sub === 'SIG_CRYPTO_FAILURE')) return { path, failures, records };
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      if (cert.ocspNoCheck && target.purpose === 'ocsp-signing') {
        records.push({ subject: cert.subject, serialNumber: cert.serialNumber, status: 'good', skipped: true });
        continue;
      }
      const required = i === 0 ? target.revocationRequired : input.revocationRequiredForCAs === true;
      const outcome = await checkRevocation(path, i, ctx, required, target.depth);
      records.push(outcome.record);
      if (outcome.failure) failures.push(outcome.failure);
    }
    const anchor = path[path.length - 1]!;
    records.push({ subject: anchor.subject, serialNumber: anchor.serialNumber, status: 'good', skipped: true });
    return { path, failures, records };
  }

  const evaluation = await evaluate({ certificate: leaf, anchors, purpose: input.purpose ?? 'any', revocationRequired: input.revocationRequired !== false, depth: 0 });
  notes.push(...ctx.notes);
  const { path, records } = evaluation;
  const expired = path.map((c, i) => (c.notAfter.getTime() < input.time.getTime() ? i : -1)).filter((i) => i >= 0);
  const expiredNotRevoked = expired.length > 0 && expired.every((i) => records[i]?.status === 'good' && !records[i]?.skipped);
  return result({ failures: evaluation.failures, notes, leaf, input, evaluation, ctx, expiredNotRevoked });
}

function parseAll(list: Uint8Array[], label: string, notes: string[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  list.forEach((der, i) => {
    const cert = tryParseCertificate(der);
    if (cert instanceof Error) notes.push(`${label} n° ${i + 1} ignoré : ${cert.message}`);
    else out.push(cert);
  });
  return out;
}

function rank(failures: Failure[]): number {
  if (failures.length === 0) return -1;
  return Math.min(...failures.map((f) => PRIORITY.length - PRIORITY.indexOf(f.sub)));
}

const sortFailures = (failures: Failure[]): Failure[] => [...failures].sort((a, b) => PRIORITY.indexOf(a.sub) - PRIORITY.indexOf(b.sub));

/** The required RGS level, read from the policies valid for the path through the policy map. */
function rgsFailures(leaf: ParsedCertificate, levelPolicies: string[], required: RgsLevel, input: PathValidationInput): Failure[] {
  const map = input.policyMap ?? DEFAULT_POLICY_MAP;
  const level = rgsLevelOf(levelPolicies, map);
  const shown = leaf.policies.length ? leaf.policies.join(', ') : 'aucune';
  if (level === null) {
    if (rgsLevelOf(leaf.policies, map) !== null) {
      return [{ sub: 'POLICY_PROCESSING_ERROR', reason: `les autorités du chemin n'autorisent pas la politique ${shown} du certificat « ${leaf.subject} »` }];
    }
    return [{ sub: 'POLICY_PROCESSING_ERROR', reason: `politique non reconnue : aucune politique du certificat « ${leaf.subject} » (${shown}) n'a de niveau RGS connu` }];
  }
  if (level < required) {
    return [{ sub: 'RGS_LEVEL_TOO_LOW', reason: `le certificat « ${leaf.subject} » est de niveau RGS ${'*'.repeat(level)}, le niveau ${'*'.repeat(required)} est exigé` }];
  }
  return [];
}

interface ResultParts {
  failures: Failure[];
  notes: string[];
  leaf: ParsedCertificate | null;
  input: PathValidationInput;
  evaluation?: Evaluation;
  ctx?: RevocationContext;
  /** Every expired certificate of the path is proven not revoked at the validation time. */
  expiredNotRevoked?: boolean;
}

function result({ failures, notes, leaf, input, evaluation, ctx, expiredNotRevoked = false }: ResultParts): PathValidationResult {
  const ordered = sortFailures(failures);
  let sub = ordered[0]?.sub;
  const records = evaluation?.records ?? [];
  const leafRecord = records[0];
  if (sub === 'OUT_OF_BOUNDS_NO_POE' && ordered.every((f) => f.sub === 'OUT_OF_BOUNDS_NO_POE') && expiredNotRevoked) {
    sub = 'OUT_OF_BOUNDS_NOT_REVOKED';
  }
  const indication: PathIndication = sub === undefined ? 'PASSED' : FAILED.has(sub) ? 'FAILED' : 'INDETERMINATE';
  const policies = leaf?.policies ?? [];
  const map = input.policyMap ?? DEFAULT_POLICY_MAP;
  const path = evaluation?.path ?? [];
  return {
    indication,
    ...(sub ? { subIndication: sub } : {}),
    reasons: [...ordered.map((f) => f.reason), ...notes],
    path: path.map((c) => new Uint8Array(c.der)),
    revocation: {
      status: leafRecord?.status ?? 'unknown',
      ...(leafRecord?.source ? { source: leafRecord.source } : {}),
      ...(leafRecord?.revokedAt ? { revokedAt: leafRecord.revokedAt } : {}),
      ...(leafRecord?.reason ? { reason: leafRecord.reason } : {}),
      checkedCerts: records,
    },
    usedCrls: ctx ? [...ctx.usedCrls] : [],
    usedOcsp: ctx ? [...ctx.usedOcsp] : [],
    policies,
    validPolicies: evaluation?.policies.valid ?? [],
    rgsLevel: rgsLevelOf(path.length > 0 ? evaluation!.policies.level : policies, map),
  };
}
