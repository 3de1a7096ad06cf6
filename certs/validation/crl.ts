import { children, content, DerFormatError, expect, guard, parseExtensions, readOid, readTime, readTlv, readWhole, slice, type RawExtension, type Tlv } from './der.ts';
import { nameKey, nameToString, normalizeSerial } from './certificate.ts';
import { contentKey, Memo } from './memo.ts';
import type { AlgorithmRef } from './crypto.ts';

export const CRL_REASONS: readonly string[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

const CRL_OID = {
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  crlNumber: '2.5.29.20',
  authorityKeyId: '2.5.29.35',
  issuingDistributionPoint: '2.5.29.28',
  deltaCrlIndicator: '2.5.29.27',
  expiredCertsOnCrl: '2.5.29.60',
  freshestCrl: '2.5.29.46',
  certificateIssuer: '2.5.29.29',
};

export interface CrlEntry {
  revokedAt: Date;
  reason?: string;
}

export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuer: string;
  issuerKey: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  signatureAlgorithm: AlgorithmRef;
  signature: Uint8Array;
  /** The entry for a normalized serial (hex), if listed; throws DerFormatError on a malformed entry. */
  entry(serial: string): CrlEntry | undefined;
  revokedCount: number;
  crlNumber?: string;
  isDelta: boolean;
  /** Scope from the issuingDistributionPoint extension. */
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  /** Indirect CRLs, reason partitions: not handled, the CRL is then not used. */
  unsupported?: string;
  expiredCertsOnCrl: boolean;
}

export function parseAlgorithm(bytes: Uint8Array, tlv: Tlv | undefined): AlgorithmRef {
  const parts = children(bytes, expect(bytes, tlv, 0x30, 'AlgorithmIdentifier'));
  const oid = readOid(bytes, expect(bytes, parts[0], 0x06, 'OID d’algorithme'));
  return parts[1] ? { oid, params: slice(bytes, parts[1]) } : { oid };
}

export function bitStringBytes(bytes: Uint8Array, tlv: Tlv | undefined, what: string): Uint8Array {
  const body = content(bytes, expect(bytes, tlv, 0x03, what));
  if (body[0] !== 0) throw new DerFormatError(`${what} : bits inutilisés inattendus`);
  return body.subarray(1);
}

/** Parses a DER CRL (RFC 5280 §5); throws DerFormatError with a French message. */
const parsedCrls = new Memo<ParsedCrl>(500);

export function parseCrl(input: Uint8Array): ParsedCrl {
  const crl = parsedCrls.get(contentKey(input), () => parseCopy(new Uint8Array(input)));
  // The caller's own bytes go back in usedCrls.
  return { ...crl, der: input };
}

function parseCopy(der: Uint8Array): ParsedCrl {
  return guard('LCR illisible', () => {
    const outer = expect(der, readWhole(der, 'LCR'), 0x30, 'LCR');
    const [tbsTlv, algTlv, sigTlv] = children(der, outer);
    const fields = children(der, expect(der, tbsTlv, 0x30, 'TBSCertList'));
    let i = 0;
    if (fields[i]?.tag === 0x02) i++;
    const innerAlg = parseAlgorithm(der, fields[i++]);
    const issuerTlv = expect(der, fields[i++], 0x30, 'émetteur');
    const thisUpdate = readTime(der, fields[i++]!);
    let nextUpdate: Date | undefined;
    if (fields[i] && (fields[i]!.tag === 0x17 || fields[i]!.tag === 0x18)) nextUpdate = readTime(der, fields[i++]!);
    // Only serials are read up front: a CRL may hold many thousands of entries, one is looked up.
    const entries = new Map<string, Tlv>();
    if (fields[i]?.tag === 0x30) {
      for (const entry of children(der, fields[i++]!)) {
        const serial = readTlv(der, expect(der, entry, 0x30, 'entrée de LCR').contentStart, entry.end);
        entries.set(normalizeSerial(content(der, expect(der, serial, 0x02, 'numéro de série'))), entry);
      }
    }
    const crl: ParsedCrl = {
      der,
      tbs: slice(der, tbsTlv!),
      issuer: nameToString(slice(der, issuerTlv)),
      issuerKey: nameKey(slice(der, issuerTlv)),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      signatureAlgorithm: parseAlgorithm(der, algTlv),
      signature: bitStringBytes(der, sigTlv, 'signature de la LCR'),
      entry: (serial: string) => {
        const tlv = entries.get(serial);
        return tlv && guard('entrée de LCR illisible', () => parseEntry(der, tlv));
      },
      revokedCount: entries.size,
      isDelta: false,
      onlyUserCerts: false,
      onlyCaCerts: false,
      expiredCertsOnCrl: false,
    };
    if (innerAlg.oid !== crl.signatureAlgorithm.oid) throw new DerFormatError('algorithmes de signature intérieur et extérieur différents');
    if (fields[i]?.tag === 0xa0) {
      const [list] = children(der, fields[i]!);
      for (const ext of parseExtensions(der, list!)) applyCrlExtension(crl, ext);
    }
    return crl;
  });
}

function parseEntry(der: Uint8Array, tlv: Tlv): CrlEntry {
  const [, date, exts] = children(der, tlv);
  if (!date) throw new DerFormatError('date de révocation absente');
  const item: CrlEntry = { revokedAt: readTime(der, date) };
  for (const ext of exts ? parseExtensions(der, exts) : []) {
    if (ext.oid === CRL_OID.reasonCode) {
      const code = ext.value[ext.value.length - 1] ?? 0;
      item.reason = CRL_REASONS[code] ?? `code ${code}`;
    } else if (ext.critical && ext.oid !== CRL_OID.invalidityDate) {
      throw new DerFormatError(`extension d’entrée critique non prise en charge (${ext.oid})`);
    }
  }
  return item;
}

function applyCrlExtension(crl: ParsedCrl, ext: RawExtension): void {
  switch (ext.oid) {
    case CRL_OID.crlNumber:
      crl.crlNumber = normalizeSerial(ext.value.subarray(2));
      return;
    case CRL_OID.deltaCrlIndicator:
      crl.isDelta = true;
      return;
    case CRL_OID.expiredCertsOnCrl:
      crl.expiredCertsOnCrl = true;
      return;
    case CRL_OID.issuingDistributionPoint:
      applyIdp(crl, ext.value);
      return;
    case CRL_OID.authorityKeyId:
    case CRL_OID.freshestCrl:
      return;
    default:
      if (ext.critical) crl.unsupported = `extension critique ${ext.oid} non prise en charge`;
  }
}

/** IssuingDistributionPoint: [0] dp, [1] onlyUser, [2] onlyCA, [3] onlySomeReasons, [4] indirect, [5] onlyAttr. */
function applyIdp(crl: ParsedCrl, value: Uint8Array): void {
  const seq = readWhole(value, 'issuingDistributionPoint');
  for (const field of children(value, seq)) {
    const flag = content(value, field)[0] !== 0;
    switch (field.tag) {
      case 0x81:
        crl.onlyUserCerts = flag;
        break;
      case 0x82:
        crl.onlyCaCerts = flag;
        break;
      case 0x83:
        crl.unsupported = 'LCR partitionnée par motifs (onlySomeReasons) non prise en charge';
        break;
      case 0x84:
        if (flag) crl.unsupported = 'LCR indirecte non prise en charge';
        break;
      case 0x85:
        if (flag) crl.unsupported = 'LCR d’attributs seulement';
        break;
    }
  }
}
