import {
  Asn1Error, OID, contentKey, Memo, nameKey, nameToString, normalizeSerial, parse, readAlgorithm, readExtensions, reading, required,
  type AlgorithmIdentifier, type Node, type RawExtension,
} from '../../asn1/index.ts';

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
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** The entry for a normalized serial (hex), if listed; throws an Asn1Error on a malformed entry. */
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

const parsedCrls = new Memo<ParsedCrl>(500);

/** Parses a DER CRL (RFC 5280 §5); throws an Asn1Error « LCR illisible : … ». */
export function parseCrl(input: Uint8Array): ParsedCrl {
  const crl = parsedCrls.get(contentKey(input), () => parseCopy(new Uint8Array(input)));
  // The caller's own bytes go back in usedCrls.
  return { ...crl, der: input };
}

function parseCopy(der: Uint8Array): ParsedCrl {
  return reading('LCR illisible', () => {
    // A CRL may list many thousands of certificates: its element count is not capped like a CMS's.
    const root = parse(der, { maxElements: Number.MAX_SAFE_INTEGER });
    const [, algNode, sigNode] = root.items('LCR');
    const tbsNode = root.child(0, 'TBSCertList');
    const fields = tbsNode.items('TBSCertList');
    let i = 0;
    if (fields[i]?.tag === 0x02) i++;
    const innerAlg = readAlgorithm(fields[i++], 'algorithme de signature');
    const issuerNode = required(fields[i++], 'émetteur').expect(0x30, 'émetteur');
    const thisUpdate = required(fields[i++], 'thisUpdate').time('thisUpdate');
    let nextUpdate: Date | undefined;
    if (fields[i] && (fields[i]!.tag === 0x17 || fields[i]!.tag === 0x18)) nextUpdate = fields[i++]!.time('nextUpdate');
    // Only serials are read up front: a CRL may hold many thousands of entries, one is looked up.
    const entries = new Map<string, Node>();
    if (fields[i]?.tag === 0x30) {
      for (const entry of fields[i++]!.children) {
        entries.set(normalizeSerial(entry.expect(0x30, 'entrée de LCR').child(0, 'numéro de série').expect(0x02, 'numéro de série').content), entry);
      }
    }
    const crl: ParsedCrl = {
      der,
      tbs: tbsNode.raw,
      issuer: nameToString(issuerNode.raw),
      issuerKey: nameKey(issuerNode.raw),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      signatureAlgorithm: readAlgorithm(algNode, 'algorithme de signature'),
      signature: required(sigNode, 'signature de la LCR').bits('signature de la LCR'),
      entry: (serial: string) => {
        const node = entries.get(serial);
        return node && reading('entrée de LCR illisible', () => parseEntry(node));
      },
      revokedCount: entries.size,
      isDelta: false,
      onlyUserCerts: false,
      onlyCaCerts: false,
      expiredCertsOnCrl: false,
    };
    if (innerAlg.oid !== crl.signatureAlgorithm.oid) throw new Asn1Error('MALFORMED', 'algorithmes de signature intérieur et extérieur différents');
    if (fields[i]?.tag === 0xa0) {
      for (const ext of readExtensions(fields[i]!.child(0, 'extensions'))) applyCrlExtension(crl, ext);
    }
    return crl;
  });
}


function parseEntry(node: Node): CrlEntry {
  const [, date, exts] = node.children;
  if (!date) throw new Asn1Error('MALFORMED', 'date de révocation absente');
  const item: CrlEntry = { revokedAt: date.time('date de révocation') };
  for (const ext of exts ? readExtensions(exts) : []) {
    if (ext.oid === OID.reasonCode) {
      const code = ext.value[ext.value.length - 1] ?? 0;
      item.reason = CRL_REASONS[code] ?? `code ${code}`;
    } else if (ext.critical && ext.oid !== OID.invalidityDate) {
      throw new Asn1Error('MALFORMED', `extension d’entrée critique non prise en charge (${ext.oid})`);
    }
  }
  return item;
}

function applyCrlExtension(crl: ParsedCrl, ext: RawExtension): void {
  switch (ext.oid) {
    case OID.crlNumber:
      crl.crlNumber = normalizeSerial(ext.value.subarray(2));
      return;
    case OID.deltaCrlIndicator:
      crl.isDelta = true;
      return;
    case OID.expiredCertsOnCrl:
      crl.expiredCertsOnCrl = true;
      return;
    case OID.issuingDistributionPoint:
      applyIdp(crl, ext.value);
      return;
    case OID.authorityKeyIdentifier:
    case OID.freshestCrl:
      return;
    default:
      if (ext.critical) crl.unsupported = `extension critique ${ext.oid} non prise en charge`;
  }
}

/** IssuingDistributionPoint: [0] dp, [1] onlyUser, [2] onlyCA, [3] onlySomeReasons, [4] indirect, [5] onlyAttr. */
function applyIdp(crl: ParsedCrl, value: Uint8Array): void {
  for (const field of parse(value).items('issuingDistributionPoint')) {
    const flag = field.content[0] !== 0;
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
