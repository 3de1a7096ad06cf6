/**
 * RFC 5280 §6.1.2–6.1.5 for one candidate path, without revocation: validity,
 * signatures, issuer constraints, critical extensions, name constraints and the
 * policy graph with its four inputs (§6.1.1 c, e, f, g).
 */
import { Asn1Error, OID, sameBytes, signatureScheme, type ParsedCertificate } from '../../asn1/index.ts';
import { formatDate } from './dates.ts';
import { pathExtensionsOf } from './extensions.ts';
import { nameConstraintViolation, type ImposedConstraints } from './name-constraints.ts';
import { PolicyGraph } from './policy-graph.ts';
import { signedWith } from './signatures.ts';
import type { PathSubIndication, PathValidationInput, ValidationPurpose } from './types.ts';

export interface Failure {
  sub: PathSubIndication;
  reason: string;
}

export interface PathPolicies {
  /** RFC 5280 §6.1.6: the policies valid for the path, in the trust anchor's domain (none when the policy tree is NULL). */
  valid: string[];
  /**
   * What the RGS level is read from: the valid policies and the end entity's own OIDs that
   * survive the graph, a CA certificate without certificatePolicies read as letting its
   * issuer's policies through (RFC 5280 empties the tree there; the level keeps its reading).
   */
  level: string[];
}

export interface PathCheck {
  failures: Failure[];
  /** Read from the policy graph when asked: most candidate paths never need them. */
  policies(): PathPolicies;
}

/** Extensions this validator understands; any other marked critical fails the path. */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.nameConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  OID.freshestCrl,
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.qcStatements,
  OID.subjectInfoAccess,
]);

type PolicyInputs = Pick<PathValidationInput, 'initialPolicySet' | 'initialExplicitPolicy' | 'initialPolicyMappingInhibit' | 'initialAnyPolicyInhibit'>;

/** `path` runs leaf → anchor; processing goes anchor first, as §6.1 numbers certificates 1…n. */
export function checkPath(path: ParsedCertificate[], time: Date, purpose: ValidationPurpose, inputs: PolicyInputs): PathCheck {
  const failures: Failure[] = [];
  const last = path.length - 1;
  const n = last;
  let explicitPolicy = inputs.initialExplicitPolicy ? 0 : n + 1;
  let policyMapping = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  let inhibitAnyPolicy = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
  const graph = new PolicyGraph();
  /** A CA without certificatePolicies: from there the RFC tree is NULL (the graph goes on for the level only). */
  let caWithoutPolicies = false;
  let explicitPolicyMissing = false;
  const imposed: ImposedConstraints[] = [];

  for (let index = last; index >= 0; index--) {
    const cert = path[index]!;
    const name = `« ${cert.subject} »`;
    if (cert.notBefore.getTime() > time.getTime()) {
      failures.push({
        sub: 'NOT_YET_VALID',
        reason: `le certificat ${name} n'est valable qu'à partir du ${formatDate(cert.notBefore)} (date de validation : ${formatDate(time)})`,
      });
    }
    if (cert.notAfter.getTime() < time.getTime()) {
      failures.push({ sub: 'OUT_OF_BOUNDS_NO_POE', reason: `le certificat ${name} a expiré le ${formatDate(cert.notAfter)} (date de validation : ${formatDate(time)})` });
    }
    for (const ext of cert.extensions) {
      if (ext.critical && !KNOWN_EXTENSIONS.has(ext.oid)) {
        failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} porte une extension critique inconnue (${ext.oid})` });
      }
    }
    if (index > 0) failures.push(...issuerConstraints(cert, path, index));
    // The trust anchor is an input (§6.1.1 d): its own policy and name constraints are not applied.
    if (index === last) continue;
    failures.push(...signatureFailures(cert, path[index + 1]!));
    const ext = pathExtensionsOf(cert);
    if (ext instanceof Asn1Error) {
      failures.push({ sub: 'FORMAT_FAILURE', reason: ext.message });
      continue;
    }
    const isLeaf = index === 0;
    // §6.1.3 (b)-(c): a self-issued intermediate is a key rollover, not a new name.
    if (!cert.selfIssued || isLeaf) {
      const violation = nameConstraintViolation(cert, ext.altNames, imposed);
      if (violation) failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: violation });
    }
    // §6.1.3 (d)-(f)
    if (ext.hasPolicies) graph.addCertificate(cert.policies, inhibitAnyPolicy > 0 || (!isLeaf && cert.selfIssued));
    else if (isLeaf) graph.makeNull();
    else caWithoutPolicies = true;
    if (explicitPolicy === 0 && (graph.isNull || caWithoutPolicies)) explicitPolicyMissing = true;

    if (!isLeaf) {
      // §6.1.4 (a)-(b), (g)-(j)
      if (ext.policyMappings) {
        const mapsAny = [...ext.policyMappings].some(([from, to]) => from === OID.anyPolicy || to.includes(OID.anyPolicy));
        if (mapsAny) failures.push({ sub: 'CHAIN_CONSTRAINTS_FAILURE', reason: `le certificat ${name} fait correspondre anyPolicy dans policyMappings, ce qui est interdit` });
        else graph.applyMappings(ext.policyMappings, policyMapping > 0);
      }
      if (ext.nameConstraints) imposed.push({ by: cert.subject, subtrees: ext.nameConstraints });
      if (!cert.selfIssued) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (policyMapping > 0) policyMapping--;
        if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
      }
      if (ext.requireExplicitPolicy !== undefined) explicitPolicy = Math.min(explicitPolicy, ext.requireExplicitPolicy);
      if (ext.inhibitPolicyMapping !== undefined) policyMapping = Math.min(policyMapping, ext.inhibitPolicyMapping);
      if (ext.inhibitAnyPolicy !== undefined) inhibitAnyPolicy = Math.min(inhibitAnyPolicy, ext.inhibitAnyPolicy);
    } else {
      // §6.1.5 (a), (b), (g)
      if (explicitPolicy > 0) explicitPolicy--;
      if (ext.requireExplicitPolicy === 0) explicitPolicy = 0;
      graph.intersect(inputs.initialPolicySet);
      if (explicitPolicy === 0 && (graph.isNull || caWithoutPolicies)) explicitPolicyMissing = true;
    }
  }
  if (explicitPolicyMissing) {
    const asked = inputs.initialPolicySet?.length ? ` parmi ${inputs.initialPolicySet.join(', ')}` : '';
    failures.push({
      sub: 'CHAIN_CONSTRAINTS_FAILURE',
      reason: `une politique de certification explicite est exigée, mais aucune politique${asked} n'est valide pour tout le chemin jusqu'à « ${path[0]!.subject} »`,
    });
  }
  failures.push(...purposeFailures(path[0]!, purpose));
  let policies: PathPolicies | undefined;
  return {
    failures,
    policies: () => (policies ??= n === 0 ? { valid: path[0]!.policies, level: path[0]!.policies } : policiesOf(graph, caWithoutPolicies)),
  };
}

function policiesOf(graph: PolicyGraph, caWithoutPolicies: boolean): PathPolicies {
  const user = graph.userPolicies();
  return {
    valid: caWithoutPolicies ? [] : user,
    level: [...new Set([...user, ...graph.leafPolicies()])].filter((p) => p !== OID.anyPolicy),
  };
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
    if (!signedWith(cert, issuer)) {
      return [{ sub: 'SIG_CRYPTO_FAILURE', reason: `la signature du certificat ${name} ne se vérifie pas avec la clé de « ${issuer.subject} »` }];
    }
  } catch (error) {
    const sub = error instanceof Asn1Error && error.code === 'UNSUPPORTED_ALGORITHM' ? 'CRYPTO_CONSTRAINTS_FAILURE' : 'SIG_CRYPTO_FAILURE';
    return [{ sub, reason: `signature du certificat ${name} invérifiable : ${(error as Error).message}` }];
  }
  return [];
}

function purposeFailures(leaf: ParsedCertificate, purpose: ValidationPurpose): Failure[] {
  const name = `« ${leaf.subject} »`;
  const usages = leaf.keyUsage?.usages ?? [];
  const eku = leaf.extKeyUsage;
  switch (purpose) {
    case 'signature':
    case 'seal':
      if (!usages.includes('nonRepudiation')) {
        return [
          {
            sub: 'KEY_USAGE_FAILURE',
            reason: `le certificat ${name} n'a pas l'usage de clé nonRepudiation (contentCommitment) exigé pour ${purpose === 'seal' ? 'un cachet' : 'une signature'}`,
          },
        ];
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
