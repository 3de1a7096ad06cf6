import { children, content, DerFormatError, expect, readOid, readWhole } from './der.ts';
import { Memo } from './memo.ts';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'G',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E',
};

export interface ParsedName {
  /** RFC 4514 order (last RDN first): « CN=Camille Martin, OU=…, O=…, C=FR » for the engine's names. */
  text: string;
  /** Comparison key (RFC 5280 §7.1 simplified): types and values, case and inner spaces folded. */
  key: string;
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

const cache = new Memo<ParsedName>(2000);

/** Reads an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue) from its DER. */
export function parseName(der: Uint8Array): ParsedName {
  return cache.get(Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1'), () => readName(der));
}

function readName(der: Uint8Array): ParsedName {
  const rdns = children(der, expect(der, readWhole(der, 'nom'), 0x30, 'nom'));
  const texts: string[] = [];
  const keys: string[] = [];
  for (const rdn of rdns) {
    const atvs = children(der, expect(der, rdn, 0x31, 'RDN')).map((atv) => {
      const [type, value] = children(der, expect(der, atv, 0x30, 'attribut de nom'));
      if (!type || !value) throw new DerFormatError('attribut de nom incomplet');
      const oid = readOid(der, type);
      return { oid, value: stringValue(content(der, value), value.tag) };
    });
    texts.push(atvs.map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join('+'));
    keys.push(atvs.map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`).sort().join('+'));
  }
  return { text: texts.reverse().join(', '), key: keys.join(',') };
}
