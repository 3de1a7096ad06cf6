/**
 * Who a certificate names, and whether it is the person (or seal) a party
 * must sign with: the subject's CN must be their name and its OU carry
 * « 0002 <SIREN> » (domain.md « Signature levels »), or, for certificates of
 * other CAs, organizationIdentifier or SERIALNUMBER with that SIREN.
 */
import { OID, nameAttribute, type ParsedName } from '../asn1/index.ts';
import { normaliseName } from '../db/repositories/registries.ts';

export interface SubjectFields {
  commonName: string | null;
  organisation: string | null;
  /** The 9 digits the subject names as its company's SIREN, when it names one. */
  siren: string | null;
}

/** The signer a party's certificate must name. */
export interface ExpectedSigner {
  name: string;
  siren: string;
}

/** Where a subject may carry its SIREN, and how: « 0002 912345675 » (ISO 6523), « NTRFR-912345675 » (ETSI), or the bare 9 digits. */
const SIREN_ATTRIBUTES: readonly string[] = [OID.organizationalUnitName, OID.organizationIdentifier, OID.serialNumber];
const SIREN_VALUE = /^(?:0002|NTRFR-)?(\d{9})$/i;

export function subjectFields(name: ParsedName): SubjectFields {
  const siren =
    name.rdns
      .flat()
      .filter((a) => SIREN_ATTRIBUTES.includes(a.oid))
      .map((a) => SIREN_VALUE.exec(a.value.replace(/\s+/g, ''))?.[1])
      .find((s): s is string => Boolean(s)) ?? null;
  return { commonName: nameAttribute(name, OID.commonName) ?? null, organisation: nameAttribute(name, OID.organizationName) ?? null, siren };
}

/** Names compare on their letters: case, accents, hyphens and apostrophes do not count. */
export function sameName(a: string, b: string): boolean {
  return normaliseName(a) !== '' && normaliseName(a) === normaliseName(b);
}
