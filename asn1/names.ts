import { malformed } from './errors.ts';
import { Memo } from './memo.ts';
import { OID } from './oids.ts';
import { parse } from './reader.ts';

/** Short names of the attributes met in the engine's names and the usual CAs' (RFC 4514, openssl). */
export const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.givenName]: 'G',
  [OID.serialNumber]: 'SERIALNUMBER',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.organizationIdentifier]: 'organizationIdentifier',
  [OID.emailAddress]: 'E',
};

export interface NameAttribute {
  oid: string;
  value: string;
}

export interface ParsedName {
  /** RFC 4514 order (last RDN first): « CN=Camille Martin, OU=…, O=…, C=FR » for the engine's names. */
  text: string;
  /** Comparison key (RFC 5280 §7.1 simplified): types and values, case and inner spaces folded. */
  key: string;
  /** The same key for each RDN, in encoding order (`key` is their join): name constraints compare prefixes. */
  rdnKeys: string[];
  /** The RDNs in encoding order (C first for the engine's names), each a set of attributes. */
  rdns: NameAttribute[][];
}

function stringValue(bytes: Uint8Array, tag: number): string {
  switch (tag) {
    case 0x0c: // UTF8String
      return Buffer.from(bytes).toString('utf8');
    case 0x1e: // BMPString (UTF-16BE)
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x1c: {
      // UniversalString (UTF-32BE)
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
      return out;
    }
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, read as Latin-1
    case 0x12: // NumericString
      return Buffer.from(bytes).toString('latin1');
    default:
      return `#${Buffer.from(bytes).toString('hex')}`;
  }
}

/** One RDN as text: « CN=Camille Martin » (RFC 4514 escaping). */
export function rdnText(rdn: readonly NameAttribute[]): string {
  return rdn.map((a) => `${NAME_ATTRIBUTES[a.oid] ?? a.oid}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join('+');
}

const cache = new Memo<ParsedName>(2000);

/** Reads an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue) from its DER. */
export function parseName(der: Uint8Array): ParsedName {
  return cache.get(Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1'), () => readName(der));
}

function readName(der: Uint8Array): ParsedName {
  const rdns = parse(der)
    .items('nom')
    .map((rdn) =>
      rdn.items('RDN', 0x31).map((atv) => {
        const [type, value] = atv.items('attribut de nom');
        if (!type || !value) throw malformed('attribut de nom incomplet');
        return { oid: type.oid('type d’attribut de nom'), value: stringValue(value.content, value.tag) };
      }),
    );
  const rdnKeys = rdns.map((rdn) =>
    rdn
      .map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
      .sort()
      .join('+'),
  );
  return { text: rdns.map(rdnText).reverse().join(', '), key: rdnKeys.join(','), rdnKeys, rdns };
}

/** « C=FR, O=…, CN=… »: encoding order, as openssl prints names (the PKI's records use it). */
export function nameInEncodingOrder(name: ParsedName): string {
  return name.rdns.map(rdnText).join(', ');
}

/** The first value of an attribute (« CN », « O ») in encoding order. */
export function nameAttribute(name: ParsedName, oid: string): string | undefined {
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid) return a.value;
  return undefined;
}
