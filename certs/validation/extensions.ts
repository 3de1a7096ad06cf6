/**
 * The certificate extensions only path validation reads (RFC 5280 §4.2.1): policy
 * mappings and constraints, inhibitAnyPolicy, name constraints, alternative names,
 * CRL distribution points. Read once per parsed certificate.
 */
import { Asn1Error, OID, parse, reading, type Node, type ParsedCertificate } from '../../asn1/index.ts';
import { readDistributionPoints, readGeneralName, readGeneralNames, type DistributionPoint, type GeneralName } from './general-names.ts';

export interface NameSubtrees {
  permitted: GeneralName[];
  excluded: GeneralName[];
}

export interface PathExtensions {
  /** certificatePolicies is present (an empty policy set and an absent extension differ). */
  hasPolicies: boolean;
  /** issuerDomainPolicy → its subjectDomainPolicy values. */
  policyMappings?: Map<string, string[]>;
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
  inhibitAnyPolicy?: number;
  nameConstraints?: NameSubtrees;
  altNames: GeneralName[];
  /** Absent extension: undefined (the CRL issuer is then the certificate issuer, §6.3.3). */
  distributionPoints?: DistributionPoint[];
}

const read = new WeakMap<ParsedCertificate, PathExtensions | Asn1Error>();

/** The extensions of `cert`; an Asn1Error when one of them is malformed. */
export function pathExtensionsOf(cert: ParsedCertificate): PathExtensions | Asn1Error {
  let result = read.get(cert);
  if (!result) {
    try {
      result = reading(`certificat « ${cert.subject} » : extension illisible`, () => readAll(cert));
    } catch (error) {
      result = error instanceof Asn1Error ? error : new Asn1Error('MALFORMED', (error as Error).message);
    }
    read.set(cert, result);
  }
  return result;
}

function readAll(cert: ParsedCertificate): PathExtensions {
  const out: PathExtensions = { hasPolicies: false, altNames: [] };
  for (const ext of cert.extensions) {
    switch (ext.oid) {
      case OID.certificatePolicies:
        out.hasPolicies = true;
        break;
      case OID.policyMappings:
        out.policyMappings = policyMappings(parse(ext.value));
        break;
      case OID.policyConstraints:
        for (const field of parse(ext.value).items('policyConstraints')) {
          if (field.tag === 0x80) out.requireExplicitPolicy = skipCerts(field);
          else if (field.tag === 0x81) out.inhibitPolicyMapping = skipCerts(field);
          else throw new Asn1Error('MALFORMED', 'policyConstraints : champ inattendu');
        }
        if (out.requireExplicitPolicy === undefined && out.inhibitPolicyMapping === undefined) {
          throw new Asn1Error('MALFORMED', 'policyConstraints vide');
        }
        break;
      case OID.inhibitAnyPolicy:
        out.inhibitAnyPolicy = skipCerts(parse(ext.value).expect(0x02, 'inhibitAnyPolicy'));
        break;
      case OID.nameConstraints:
        out.nameConstraints = nameConstraints(parse(ext.value));
        break;
      case OID.subjectAltName:
        out.altNames = readGeneralNames(parse(ext.value).expect(0x30, 'subjectAltName'));
        break;
      case OID.crlDistributionPoints:
        out.distributionPoints = readDistributionPoints(parse(ext.value));
        break;
    }
  }
  return out;
}

/** SkipCerts ::= INTEGER (0..MAX), possibly implicitly tagged. */
function skipCerts(node: Node): number {
  const bytes = node.content;
  if (bytes.length === 0 || bytes.length > 4 || (bytes[0]! & 0x80) !== 0) throw new Asn1Error('MALFORMED', 'SkipCerts invalide');
  return bytes.reduce((value, byte) => value * 256 + byte, 0);
}

function policyMappings(node: Node): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const pair of node.items('policyMappings')) {
    const [issuer, subject, extra] = pair.items('PolicyMapping');
    if (!issuer || !subject || extra) throw new Asn1Error('MALFORMED', 'PolicyMapping incomplet');
    const from = issuer.oid('issuerDomainPolicy');
    const to = subject.oid('subjectDomainPolicy');
    const list = map.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    map.set(from, list);
  }
  return map;
}

/** NameConstraints { permittedSubtrees [0], excludedSubtrees [1] } of GeneralSubtree { base, minimum [0] DEFAULT 0, maximum [1] }. */
function nameConstraints(node: Node): NameSubtrees {
  const out: NameSubtrees = { permitted: [], excluded: [] };
  for (const field of node.items('nameConstraints')) {
    if (field.tag !== 0xa0 && field.tag !== 0xa1) throw new Asn1Error('MALFORMED', 'nameConstraints : champ inattendu');
    for (const subtree of field.children) {
      const [base, ...bounds] = subtree.items('GeneralSubtree');
      if (!base) throw new Asn1Error('MALFORMED', 'GeneralSubtree sans base');
      // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum absent; other distances have no defined meaning.
      for (const bound of bounds) {
        if (!(bound.tag === 0x80 && bound.content.length === 1 && bound.content[0] === 0)) {
          throw new Asn1Error('MALFORMED', 'GeneralSubtree avec une distance minimum ou maximum, non prise en charge');
        }
      }
      (field.tag === 0xa0 ? out.permitted : out.excluded).push(readGeneralName(base));
    }
  }
  return out;
}
