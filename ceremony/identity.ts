/**
 * Who a certificate names, and whether it is the person (or seal) a party
 * must sign with: the subject's CN must be their name and its OU carry
 * « 0002 <SIREN> » (domain.md « Signature levels »), or, for certificates of
 * other CAs, organizationIdentifier or SERIALNUMBER with that SIREN.
 */
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

/** Splits an RFC 4514 name (« CN=Camille Martin, OU=0002 912345675, O=…, C=FR ») into its attributes. */
export function subjectAttributes(rfc4514: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let current = '';
  let escaped = false;
  const flush = () => {
    const at = current.indexOf('=');
    if (at > 0) out.push([current.slice(0, at).trim(), current.slice(at + 1).trim()]);
    current = '';
  };
  for (const char of rfc4514) {
    if (escaped) {
      current += char;
      escaped = false;
    } else if (char === '\\') {
      escaped = true;
    } else if (char === ',' || char === '+') {
      flush();
    } else {
      current += char;
    }
  }
  flush();
  return out;
}

/** Where a subject may carry its SIREN, and how: « 0002 912345675 » (ISO 6523), « NTRFR-912345675 » (ETSI), or the bare 9 digits. */
const SIREN_ATTRIBUTES = new Set(['OU', 'ORGANIZATIONIDENTIFIER', '2.5.4.97', 'SERIALNUMBER']);
const SIREN_VALUE = /^(?:0002|NTRFR-)?(\d{9})$/i;

export function subjectFields(rfc4514: string): SubjectFields {
  const attributes = subjectAttributes(rfc4514);
  const first = (type: string) => attributes.find(([t]) => t.toUpperCase() === type)?.[1] ?? null;
  const siren =
    attributes
      .filter(([t]) => SIREN_ATTRIBUTES.has(t.toUpperCase()))
      .map(([, v]) => SIREN_VALUE.exec(v.replace(/\s+/g, ''))?.[1])
      .find((s): s is string => Boolean(s)) ?? null;
  return { commonName: first('CN'), organisation: first('O'), siren };
}

/** Names compare on their letters: case, accents, hyphens and apostrophes do not count. */
export function sameName(a: string, b: string): boolean {
  return normaliseName(a) !== '' && normaliseName(a) === normaliseName(b);
}
