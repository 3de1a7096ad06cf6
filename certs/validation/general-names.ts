/**
 * GeneralName (RFC 5280 §4.2.1.6) and DistributionPoint (§4.2.1.13, §5.2.5): what
 * subjectAltName, nameConstraints, cRLDistributionPoints, freshestCRL,
 * issuingDistributionPoint and the certificateIssuer CRL entry extension carry.
 */
import { Asn1Error, headerSize, parseName, seq, type Node, type ParsedName } from '../../asn1/index.ts';

export type GeneralName =
  | { type: 'email' | 'dns' | 'uri'; value: string }
  | { type: 'directory'; name: ParsedName; der: Uint8Array }
  | { type: 'ip'; bytes: Uint8Array }
  /** otherName, x400Address, ediPartyName, registeredID: kept whole, compared byte for byte. */
  | { type: 'other'; tag: number; raw: Uint8Array };

const ia5 = (node: Node): string => Buffer.from(node.content).toString('latin1');

/** One GeneralName CHOICE element. */
export function readGeneralName(node: Node): GeneralName {
  switch (node.tag) {
    case 0x81:
      return { type: 'email', value: ia5(node) };
    case 0x82:
      return { type: 'dns', value: ia5(node) };
    case 0x86:
      return { type: 'uri', value: ia5(node) };
    case 0x87:
      return { type: 'ip', bytes: node.content };
    case 0xa4: {
      const der = node.child(0, 'nom').expect(0x30, 'nom').raw;
      return { type: 'directory', name: parseName(der), der };
    }
    default:
      if ((node.tag & 0xc0) !== 0x80 || node.number > 8) throw new Asn1Error('MALFORMED', `GeneralName inattendu (étiquette 0x${node.tag.toString(16)})`);
      return { type: 'other', tag: node.tag, raw: node.raw };
  }
}

/** GeneralNames: the children of a SEQUENCE, or of an IMPLICIT [n] that replaces it. */
export const readGeneralNames = (node: Node): GeneralName[] => node.children.map(readGeneralName);

export function sameGeneralName(a: GeneralName, b: GeneralName): boolean {
  switch (a.type) {
    case 'directory':
      return b.type === 'directory' && a.name.key === b.name.key;
    case 'ip':
      return b.type === 'ip' && Buffer.compare(a.bytes, b.bytes) === 0;
    case 'other':
      return b.type === 'other' && a.tag === b.tag && Buffer.compare(a.raw, b.raw) === 0;
    case 'uri':
      return b.type === 'uri' && a.value === b.value;
    default:
      return b.type === a.type && a.value.toLowerCase() === b.value.toLowerCase();
  }
}

/** ReasonFlags as a bit mask: bit n of the BIT STRING is 1 << n (keyCompromise 1 … aACompromise 8). */
export type ReasonMask = number;
/** Every reason RFC 5280 §6.3.3 must see covered (bit 0, « unused », is not a reason). */
export const ALL_REASONS: ReasonMask = 0x1fe;

export function readReasonFlags(node: Node): ReasonMask {
  const bytes = node.content;
  let mask = 0;
  for (let bit = 0; bit < 9; bit++) {
    if (((bytes[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) !== 0) mask |= 1 << bit;
  }
  return mask & ALL_REASONS;
}

/**
 * DistributionPointName: fullName, or nameRelativeToCRLIssuer — one RDN appended to the
 * CRL issuer's name, kept as the DER of that RDN until the issuer is known.
 */
export type DistributionPointName = { fullName: GeneralName[] } | { relativeName: Uint8Array };

export interface DistributionPoint {
  name?: DistributionPointName;
  reasons?: ReasonMask;
  crlIssuer?: GeneralName[];
}

/** [0] DistributionPointName (explicit CHOICE): [0] fullName or [1] nameRelativeToCRLIssuer. */
export function readDistributionPointName(node: Node): DistributionPointName {
  const choice = node.child(0, 'nom du point de distribution');
  if (choice.tag === 0xa0) return { fullName: readGeneralNames(choice) };
  if (choice.tag === 0xa1) return { relativeName: choice.raw };
  throw new Asn1Error('MALFORMED', `nom de point de distribution inattendu (étiquette 0x${choice.tag.toString(16)})`);
}

/** CRLDistributionPoints / FreshestCRL: SEQUENCE OF DistributionPoint. */
export function readDistributionPoints(node: Node): DistributionPoint[] {
  return node.items('points de distribution').map((point) => {
    const dp: DistributionPoint = {};
    for (const field of point.items('DistributionPoint')) {
      if (field.tag === 0xa0) dp.name = readDistributionPointName(field);
      else if (field.tag === 0x81) dp.reasons = readReasonFlags(field);
      else if (field.tag === 0xa2) dp.crlIssuer = readGeneralNames(field);
      else throw new Asn1Error('MALFORMED', `champ de DistributionPoint inattendu (0x${field.tag.toString(16)})`);
    }
    return dp;
  });
}

/** The names a DistributionPointName stands for, a relative name resolved against `issuer` (DER of a Name). */
export function distributionPointNames(name: DistributionPointName, issuers: Uint8Array[]): GeneralName[] {
  if ('fullName' in name) return name.fullName;
  return issuers.map((issuer) => {
    // The issuer's RDNs, then the relative one, as one Name (the RDN's [1] becomes a SET again).
    const rdn = new Uint8Array(name.relativeName);
    rdn[0] = 0x31;
    const der = seq(issuer.subarray(headerSize(issuer)), rdn);
    return { type: 'directory', name: parseName(der), der } as const;
  });
}
