import {
  Asn1Error,
  OID,
  contentKey,
  Memo,
  nameKey,
  nameToString,
  parse,
  readAlgorithm,
  readExtensions,
  reading,
  required,
  toHex,
  type AlgorithmIdentifier,
  type Node,
  type ParsedCertificate,
  type RawExtension,
} from '../../asn1/index.ts';
import { readDistributionPointName, readGeneralNames, readReasonFlags, type DistributionPointName, type ReasonMask } from './general-names.ts';

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

/**
 * A serial number as an integer, in a form fit for comparison: the hex of its minimal
 * two's-complement encoding. 255 (`00 FF`) and −1 (`FF`) stay apart; a redundant
 * leading `00` written by a careless CA does not make 255 another number.
 */
export function serialKey(content: Uint8Array): string {
  let start = 0;
  while (start < content.length - 1 && ((content[start] === 0x00 && (content[start + 1]! & 0x80) === 0) || (content[start] === 0xff && (content[start + 1]! & 0x80) !== 0))) {
    start++;
  }
  return toHex(content.subarray(start));
}

const certificateSerials = new WeakMap<ParsedCertificate, string>();

/** `serialKey` of a certificate's serial, computed once per parsed certificate. */
export function serialKeyOf(cert: ParsedCertificate): string {
  let key = certificateSerials.get(cert);
  if (key === undefined) certificateSerials.set(cert, (key = serialKey(cert.serialBytes)));
  return key;
}

export interface CrlEntry {
  revokedAt: Date;
  reason?: string;
}

/** The issuingDistributionPoint extension (RFC 5280 §5.2.5): which certificates and reasons the CRL covers. */
export interface IssuingDistributionPoint {
  /** The extension's DER: a delta CRL must have exactly the scope of its complete CRL. */
  der: Uint8Array;
  name?: DistributionPointName;
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  onlyAttributeCerts: boolean;
  onlySomeReasons?: ReasonMask;
  indirect: boolean;
}

export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuer: string;
  issuerKey: string;
  issuerDer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /**
   * The entry for a certificate, given its issuer's name key and its serial's `serialKey`
   * (in an indirect CRL, entries name their issuer with certificateIssuer); throws an
   * Asn1Error on a malformed entry or one with an unknown critical extension.
   */
  entry(issuerKey: string, serial: string): CrlEntry | undefined;
  revokedCount: number;
  crlNumber?: bigint;
  /** deltaCRLIndicator: the number of the complete CRL this delta CRL updates. */
  deltaBase?: bigint;
  isDelta: boolean;
  /** Lower-case hex of the authorityKeyIdentifier's keyIdentifier. */
  authorityKeyId?: string;
  idp?: IssuingDistributionPoint;
  /** freshestCRL: the issuer publishes delta CRLs. */
  hasFreshest: boolean;
  /** An unknown critical extension: the CRL is then not used. */
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

/** The DER of the certificateIssuer OID: its presence in the entry list is what makes issuer tracking necessary. */
const CERTIFICATE_ISSUER_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1d]);

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
    const revoked = fields[i]?.tag === 0x30 ? fields[i++]! : undefined;
    const issuerKey = nameKey(issuerNode.raw);
    const entries = revoked ? indexEntries(revoked, issuerKey) : { byIssuer: false, map: new Map<string, Node>() };
    const crl: ParsedCrl = {
      der,
      tbs: tbsNode.raw,
      issuer: nameToString(issuerNode.raw),
      issuerKey,
      issuerDer: issuerNode.raw,
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      signatureAlgorithm: readAlgorithm(algNode, 'algorithme de signature'),
      signature: required(sigNode, 'signature de la LCR').bits('signature de la LCR'),
      entry: (certIssuerKey: string, serial: string) => {
        const node = entries.byIssuer ? entries.map.get(`${certIssuerKey}|${serial}`) : certIssuerKey === issuerKey ? entries.map.get(serial) : undefined;
        return node && reading('entrée de LCR illisible', () => parseEntry(node));
      },
      revokedCount: entries.map.size,
      isDelta: false,
      hasFreshest: false,
      expiredCertsOnCrl: false,
    };
    if (innerAlg.oid !== crl.signatureAlgorithm.oid) throw new Asn1Error('MALFORMED', 'algorithmes de signature intérieur et extérieur différents');
    if (fields[i]?.tag === 0xa0) {
      for (const ext of readExtensions(fields[i]!.child(0, 'extensions'))) applyCrlExtension(crl, ext);
    }
    return crl;
  });
}

/**
 * Entries keyed by serial. Only serials are read up front — a CRL may hold many
 * thousands of entries and one is looked up — unless an entry carries
 * certificateIssuer, which changes the issuer of it and of every entry after it: the
 * keys then name the issuer too.
 */
function indexEntries(list: Node, crlIssuerKey: string): { byIssuer: boolean; map: Map<string, Node> } {
  const map = new Map<string, Node>();
  const content = list.content;
  const byIssuer = Buffer.from(content.buffer, content.byteOffset, content.length).includes(CERTIFICATE_ISSUER_OID);
  let issuer = crlIssuerKey;
  for (const entry of list.children) {
    const [serial, , extensions] = entry.expect(0x30, 'entrée de LCR').children;
    const key = serialKey(required(serial, 'numéro de série').expect(0x02, 'numéro de série').content);
    if (!byIssuer) {
      map.set(key, entry);
      continue;
    }
    const named = extensions && readExtensions(extensions).find((e) => e.oid === OID.certificateIssuer);
    if (named) {
      const directory = readGeneralNames(parse(named.value).expect(0x30, 'certificateIssuer')).find((n) => n.type === 'directory');
      issuer = directory?.type === 'directory' ? directory.name.key : '<certificateIssuer sans nom X.500>';
    }
    map.set(`${issuer}|${key}`, entry);
  }
  return { byIssuer, map };
}

function parseEntry(node: Node): CrlEntry {
  const [, date, exts] = node.children;
  if (!date) throw new Asn1Error('MALFORMED', 'date de révocation absente');
  const item: CrlEntry = { revokedAt: date.time('date de révocation') };
  for (const ext of exts ? readExtensions(exts) : []) {
    if (ext.oid === OID.reasonCode) {
      const code = parse(ext.value).expect(0x0a, 'motif de révocation').smallInteger('motif de révocation');
      item.reason = CRL_REASONS[code] ?? `code ${code}`;
    } else if (ext.critical && ext.oid !== OID.invalidityDate && ext.oid !== OID.certificateIssuer) {
      throw new Asn1Error('MALFORMED', `extension d’entrée critique non prise en charge (${ext.oid})`);
    }
  }
  return item;
}

function applyCrlExtension(crl: ParsedCrl, ext: RawExtension): void {
  switch (ext.oid) {
    case OID.crlNumber:
      crl.crlNumber = crlNumber(ext.value, 'numéro de LCR');
      return;
    case OID.deltaCrlIndicator:
      crl.deltaBase = crlNumber(ext.value, 'deltaCRLIndicator');
      crl.isDelta = true;
      return;
    case OID.expiredCertsOnCrl:
      crl.expiredCertsOnCrl = true;
      return;
    case OID.issuingDistributionPoint:
      crl.idp = readIdp(ext.value);
      return;
    case OID.authorityKeyIdentifier: {
      const keyId = parse(ext.value)
        .items('authorityKeyIdentifier')
        .find((t) => t.tag === 0x80);
      if (keyId) crl.authorityKeyId = toHex(keyId.content);
      return;
    }
    case OID.freshestCrl:
      crl.hasFreshest = true;
      return;
    default:
      if (ext.critical) crl.unsupported = `extension critique ${ext.oid} non prise en charge`;
  }
}

/** A CRL number (up to 20 octets): a redundant leading zero written by a careless CA is tolerated. */
function crlNumber(value: Uint8Array, what: string): bigint {
  const content = parse(value).expect(0x02, what).content;
  if (content.length === 0) throw new Asn1Error('MALFORMED', `${what} vide`);
  return BigInt.asIntN(content.length * 8, BigInt(`0x${toHex(content)}`));
}

/** IssuingDistributionPoint: [0] dp, [1] onlyUser, [2] onlyCA, [3] onlySomeReasons, [4] indirect, [5] onlyAttr. */
function readIdp(value: Uint8Array): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { der: value, onlyUserCerts: false, onlyCaCerts: false, onlyAttributeCerts: false, indirect: false };
  for (const field of parse(value).items('issuingDistributionPoint')) {
    const flag = field.content[0] !== 0;
    switch (field.tag) {
      case 0xa0:
        idp.name = readDistributionPointName(field);
        break;
      case 0x81:
        idp.onlyUserCerts = flag;
        break;
      case 0x82:
        idp.onlyCaCerts = flag;
        break;
      case 0x83:
        idp.onlySomeReasons = readReasonFlags(field);
        break;
      case 0x84:
        idp.indirect = flag;
        break;
      case 0x85:
        idp.onlyAttributeCerts = flag;
        break;
      default:
        throw new Asn1Error('MALFORMED', `issuingDistributionPoint : champ inattendu (0x${field.tag.toString(16)})`);
    }
  }
  return idp;
}
