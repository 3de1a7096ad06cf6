import { DEFAULT_POLICY_MAP, rgsLevelOf } from '../policies.ts';
import { Asn1Error, OID, sameBytes, signatureScheme, tryParseCertificate, verifySignatureCached, type ParsedCertificate } from '../../asn1/index.ts';
import { formatDate } from './dates.ts';
import { checkRevocation, RevocationContext } from './revocation.ts';
import type { CertificateRevocation, PathIndication, PathSubIndication, PathValidationInput, PathValidationResult } from './types.ts';

interface Failure {
  sub: PathSubIndication;
  reason: string;
}

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
const FAILED: ReadonlySet<PathSubIndication> = new Set([
  'FORMAT_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'NOT_YET_VALID',
  'KEY_USAGE_FAILURE',
  'RGS_LEVEL_TOO_LOW',
]);

/** Extensions this validator understands; any other marked critical fails the path. */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.certificatePolicies,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.freshestCrl,
  OID.qcStatements,
  OID.subjectInfoAccess,
]);

const DEFAULT_MAX_PATH = 10;
const MAX_CANDIDATE_PATHS = 32;
/** Certificates examined while building paths: many same-name CAs must not make the search explode. */
const MAX_SEARCH_STEPS = 2000;

export async function validatePath(input: PathValidationInput): Promise<PathValidationResult> {
  try {
    return await validate(input);
  } catch (error) {
    // Hostile input must give a result, never an exception in the verifier.
    const failure: Failure = { sub: 'FORMAT_FAILURE', reason: `validation interrompue par une donnée invalide : ${(error as Error).message}` };
    return result({ failures: [failure], notes: [], path: [], leaf: null, input });
  }
}

async function validate(input: PathValidationInput): Promise<PathValidationResult> {
  const notes: string[] = [];
  const leaf = tryParseCertificate(input.certificate);
  if (leaf instanceof Error) {
    return result({ failures: [{ sub: 'FORMAT_FAILURE', reason: leaf.message }], notes, path: [], leaf: null, input });
  }
  if (!(input.time instanceof Date) || Number.isNaN(input.time.getTime())) {
    return result({ failures: [{ sub: 'FORMAT_FAILURE', reason: 'date de validation invalide' }], notes, path: [], leaf, input });
  }
  const anchors = parseAll(input.trustAnchors, 'ancre de confiance', notes);
  const pool = parseAll(input.intermediates, 'certificat intermédiaire', notes);
  const maxLength = Math.max(1, Math.min(input.maxPathLength ?? DEFAULT_MAX_PATH, 20));

  const paths = buildPaths(leaf, pool, anchors, maxLength);
  if (paths.length === 0) {
    const missing = deepestIssuer(leaf, pool, maxLength);
    return result({
      failures: [
        {
          sub: 'NO_CERTIFICATE_CHAIN_FOUND',
          reason: `aucun chemin vers une ancre de confiance : l'émetteur « ${missing.issuer} » du certificat « ${missing.subject} » est introuvable ou non reconnu`,
        },
      ],
      notes,
      path: [],
      leaf,
      input,
    });
  }
  const evaluated = paths.map((path) => ({ path, failures: checkPath(path, input) }));
  evaluated.sort((a, b) => rank(a.failures) - rank(b.failures) || a.failures.length - b.failures.length);
  const best = evaluated[0]!;
  const failures = [...best.failures];

  const records: CertificateRevocation[] = [];
  const ctx = new RevocationContext(input.time, input.crls ?? [], input.ocspResponses ?? [], [...pool, ...anchors], input.fetchRevocation);
  if (!failures.some((f) => f.sub === 'FORMAT_FAILURE' || f.sub === 'SIG_CRYPTO_FAILURE')) {
    for (let i = 0; i < best.path.length - 1; i++) {
      const cert = best.path[i]!;
      if (cert.ocspNoCheck && input.purpose === 'ocsp-signing') {
        records.push({ subject: cert.subject, serialNumber: cert.serialNumber, status: 'good', skipped: true });
        continue;
      }
      const required = i === 0 ? input.revocationRequired !== false : input.revocationRequiredForCAs === true;
      const outcome = await checkRevocation(cert, best.path[i + 1]!, ctx, required);
      records.push(outcome.record);
      if (outcome.failure) failures.push(outcome.failure);
    }
    const anchor = best.path[best.path.length - 1]!;
    records.push({ subject: anchor.subject, serialNumber: anchor.serialNumber, status: 'good', skipped: true });
  }
  notes.push(...ctx.notes);
  const expired = best.path.map((c, i) => (c.notAfter.getTime() < input.time.getTime() ? i : -1)).filter((i) => i >= 0);
  const expiredNotRevoked = expired.length > 0 && expired.every((i) => records[i]?.status === 'good' && !records[i]?.skipped);
  return result({ failures, notes, path: best.path, leaf, input, records, ctx, expiredNotRevoked });
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

function isAnchor(cert: ParsedCertificate, anchors: ParsedCertificate[]): boolean {
  return anchors.some((a) => sameBytes(a.der, cert.der) || (a.subjectKey === cert.subjectKey && sameBytes(a.spki, cert.spki)));
}

/** A candidate issuer must carry the subject's issuer name and, when both identifiers exist, the right key id. */
function mayIssue(candidate: ParsedCertificate, cert: ParsedCertificate): boolean {
  if (candidate.subjectKey !== cert.issuerKey) return false;
  return !(cert.authorityKeyId && candidate.subjectKeyId && cert.authorityKeyId !== candidate.subjectKeyId);
}

/** Depth-first search leaf → anchor over name chaining and key identifiers; cycles and depth bounded. */
function buildPaths(leaf: ParsedCertificate, pool: ParsedCertificate[], anchors: ParsedCertificate[], maxLength: number): ParsedCertificate[][] {
  const found: ParsedCertificate[][] = [];
  let steps = 0;
  const walk = (path: ParsedCertificate[]): void => {
    if (found.length >= MAX_CANDIDATE_PATHS || ++steps > MAX_SEARCH_STEPS) return;
    const current = path[path.length - 1]!;
    if (isAnchor(current, anchors)) {
      found.push(path);
      return;
    }
    if (path.length >= maxLength) return;
    const candidates = [...anchors, ...pool].filter(
      (c) => mayIssue(c, current) && !path.some((p) => sameBytes(p.der, c.der) || (p.subjectKey === c.subjectKey && sameBytes(p.spki, c.spki))),
    );
    for (const candidate of candidates) walk([...path, candidate]);
  };
  walk([leaf]);
  return found;
}

/** For the error message: how far name chaining goes before it breaks. */
function deepestIssuer(leaf: ParsedCertificate, pool: ParsedCertificate[], maxLength: number): ParsedCertificate {
  let current = leaf;
  const seen = new Set<ParsedCertificate>([leaf]);
  for (let i = 0; i < maxLength; i++) {
    const next = pool.find((c) => mayIssue(c, current) && !seen.has(c));
    if (!next) break;
    seen.add(next);
    current = next;
  }
  return current;
}

function rank(failures: Failure[]): number {
  if (failures.length === 0) return -1;
  return Math.min(...failures.map((f) => PRIORITY.length - PRIORITY.indexOf(f.sub)));
}

/** RFC 5280 §6.1.3–6.1.5 for one candidate path, anchor first, without revocation. */
function checkPath(path: ParsedCertificate[], input: PathValidationInput): Failure[] {
  const failures: Failure[] = [];
  const time = input.time;
  const last = path.length - 1;
  for (let i = last; i >= 0; i--) {
    const cert = path[i]!;
    const name = `« ${cert.subject} »`;
    if (cert.notBefore.getTime() > time.getTime()) {
      failures.push({ sub: 'NOT_YET_VALID', reason: `le certificat ${name} n'est valable qu'à partir du ${formatDate(cert.notBefore)} (date de validation : ${formatDate(time)})` });
    }
    if (cert.notAfter.getTime() < time.getTime()) {
      failures.push({ sub: 'OUT_OF_BOUNDS_NO_POE', reason: `le certificat ${name} a expiré le ${formatDate(cert.notAfter)} (date de validation : ${formatDate(time)})` });
    }
    for (const ext of cert.extensions) {
      if (ext.critical && !KNOWN_EXTENSIONS.has(ext.oid)) {
        failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} porte une extension critique inconnue (${ext.oid})` });
      }
    }
    if (i > 0) failures.push(...issuerConstraints(cert, path, i));
    if (i === last) continue;
    const issuer = path[i + 1]!;
    failures.push(...signatureFailures(cert, issuer));
  }
  failures.push(...purposeFailures(path[0]!, input.purpose ?? 'any'));
  failures.push(...policyFailures(path, input));
  return failures;
}

function issuerConstraints(ca: ParsedCertificate, path: ParsedCertificate[], index: number): Failure[] {
  const failures: Failure[] = [];
  const name = `« ${ca.subject} »`;
  const child = `« ${path[index - 1]!.subject} »`;
  const isAnchor = index === path.length - 1;
  if (!ca.basicConstraints) {
    // A version 1 root is accepted as a trust anchor, as RFC 5280 §6.1 leaves anchors to the relying party.
    if (!(isAnchor && ca.version === 1)) {
      failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} n'a pas d'extension basicConstraints : il ne peut pas émettre le certificat ${child}` });
    }
  } else if (!ca.basicConstraints.ca) {
    failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} n'est pas une autorité de certification (cA=false) mais il a émis le certificat ${child}` });
  }
  if (ca.keyUsage && !ca.keyUsage.usages.includes('keyCertSign')) {
    failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} n'a pas l'usage de clé keyCertSign : il ne peut pas émettre le certificat ${child}` });
  }
  const pathLen = ca.basicConstraints?.pathLen;
  if (pathLen !== undefined) {
    const below = path.slice(1, index).filter((c) => !c.selfIssued).length;
    if (below > pathLen) {
      failures.push({
        sub: 'CHAIN_CONSTRAINTS_FAILURE',
        reason: `le certificat ${name} limite la longueur du chemin à ${pathLen} autorité(s) intermédiaire(s) sous lui, ${below} trouvée(s)`,
      });
    }
  }
  return failures;
}

function signatureFailures(cert: ParsedCertificate, issuer: ParsedCertificate): Failure[] {
  const name = `« ${cert.subject} »`;
  if (!sameBytes(cert.signatureAlgorithmDer, cert.tbsSignatureAlgorithmDer)) {
    return [{ sub: 'FORMAT_FAILURE', reason: `le certificat ${name} annonce deux algorithmes de signature différents` }];
  }
  try {
    const scheme = signatureScheme(cert.signatureAlgorithm);
    if (scheme.hash === 'SHA-1') {
      return [{ sub: 'CRYPTO_CONSTRAINTS_FAILURE', reason: `le certificat ${name} est signé avec SHA-1, refusé` }];
    }
    if (!verifySignatureCached(issuer.spki, cert.signatureAlgorithm, cert.tbs, cert.signature)) {
      return [{ sub: 'SIG_CRYPTO_FAILURE', reason: `la signature du certificat ${name} ne se vérifie pas avec la clé de « ${issuer.subject} »` }];
    }
  } catch (error) {
    const sub = error instanceof Asn1Error && error.code === 'UNSUPPORTED_ALGORITHM' ? 'CRYPTO_CONSTRAINTS_FAILURE' : 'SIG_CRYPTO_FAILURE';
    return [{ sub, reason: `signature du certificat ${name} invérifiable : ${(error as Error).message}` }];
  }
  return [];
}

function purposeFailures(leaf: ParsedCertificate, purpose: NonNullable<PathValidationInput['purpose']>): Failure[] {
  const name = `« ${leaf.subject} »`;
  const usages = leaf.keyUsage?.usages ?? [];
  const eku = leaf.extKeyUsage;
  switch (purpose) {
    case 'signature':
    case 'seal':
      if (!usages.includes('nonRepudiation')) {
        return [{ sub: 'KEY_USAGE_FAILURE', reason: `le certificat ${name} n'a pas l'usage de clé nonRepudiation (contentCommitment) exigé pour ${purpose === 'seal' ? 'un cachet' : 'une signature'}` }];
      }
      return [];
    case 'timestamping':
      if (!eku || !eku.critical || eku.oids.length !== 1 || eku.oids[0] !== OID.timeStamping) {
        return [{ sub: 'KEY_USAGE_FAILURE', reason: `le certificat ${name} doit avoir un seul usage étendu, timeStamping, marqué critique` }];
      }
      if (leaf.keyUsage && !usages.includes('digitalSignature') && !usages.includes('nonRepudiation')) {
        return [{ sub: 'KEY_USAGE_FAILURE', reason: `le certificat ${name} n'a ni digitalSignature ni nonRepudiation` }];
      }
      return [];
    case 'ocsp-signing':
      if (!eku?.oids.includes(OID.ocspSigning)) {
        return [{ sub: 'KEY_USAGE_FAILURE', reason: `le certificat ${name} n'a pas l'usage étendu OCSPSigning` }];
      }
      return [];
    case 'any':
      return [];
  }
}

function policyFailures(path: ParsedCertificate[], input: PathValidationInput): Failure[] {
  const required = input.requiredRgsLevel;
  if (required === undefined) return [];
  const leaf = path[0]!;
  const map = input.policyMap ?? DEFAULT_POLICY_MAP;
  const level = rgsLevelOf(leaf.policies, map);
  const shown = leaf.policies.length ? leaf.policies.join(', ') : 'aucune';
  if (level === null) {
    return [{ sub: 'POLICY_PROCESSING_ERROR', reason: `politique non reconnue : aucune politique du certificat « ${leaf.subject} » (${shown}) n'a de niveau RGS connu` }];
  }
  if (level < required) {
    return [{ sub: 'RGS_LEVEL_TOO_LOW', reason: `le certificat « ${leaf.subject} » est de niveau RGS ${'*'.repeat(level)}, le niveau ${'*'.repeat(required)} est exigé` }];
  }
  const mapped = leaf.policies.filter((p) => map[p] !== undefined && map[p]! >= required);
  // RFC 5280 §6.1.3 (d): a CA that lists policies must list the leaf's (or anyPolicy) for it to hold.
  for (const ca of path.slice(1, -1)) {
    const cpExt = ca.extensions.some((e) => e.oid === OID.certificatePolicies);
    if (cpExt && !ca.policies.includes(OID.anyPolicy) && !mapped.some((p) => ca.policies.includes(p))) {
      return [{ sub: 'POLICY_PROCESSING_ERROR', reason: `l'autorité « ${ca.subject} » n'autorise pas la politique ${mapped.join(', ')} du certificat « ${leaf.subject} »` }];
    }
  }
  return [];
}

interface ResultParts {
  failures: Failure[];
  notes: string[];
  path: ParsedCertificate[];
  leaf: ParsedCertificate | null;
  input: PathValidationInput;
  records?: CertificateRevocation[];
  ctx?: RevocationContext;
  /** Every expired certificate of the path is proven not revoked at the validation time. */
  expiredNotRevoked?: boolean;
}

function result({ failures, notes, path, leaf, input, records = [], ctx, expiredNotRevoked = false }: ResultParts): PathValidationResult {
  const ordered = [...failures].sort((a, b) => PRIORITY.indexOf(a.sub) - PRIORITY.indexOf(b.sub));
  let sub = ordered[0]?.sub;
  const leafRecord = records[0];
  if (sub === 'OUT_OF_BOUNDS_NO_POE' && ordered.every((f) => f.sub === 'OUT_OF_BOUNDS_NO_POE') && expiredNotRevoked) {
    sub = 'OUT_OF_BOUNDS_NOT_REVOKED';
  }
  const indication: PathIndication = sub === undefined ? 'PASSED' : FAILED.has(sub) ? 'FAILED' : 'INDETERMINATE';
  const policies = leaf?.policies ?? [];
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
    rgsLevel: rgsLevelOf(policies, input.policyMap ?? DEFAULT_POLICY_MAP),
  };
}
