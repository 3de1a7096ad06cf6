import crypto from 'node:crypto';
import {
  OID,
  bitString,
  bool,
  ctx,
  ctxPrimitive,
  hash,
  hexInteger,
  ia5,
  integer,
  keyAlgorithmOf,
  namedBits,
  octets,
  oid,
  parse,
  parseCertificate,
  printable,
  publicKeyOf,
  seq,
  setOf,
  signatureAlgorithmId,
  DIGESTS,
  utf8,
  x509Time,
  type HashAlgorithm,
  type ParsedCertificate,
} from '../asn1/index.ts';
import type { CertificateProfile, CaName, KeyUsageName } from './profiles.ts';
import { caUrls } from './profiles.ts';
import { KEY_SPECS, type KeyType } from './keys.ts';
import type { Signer } from './types.ts';
import type { JsonName } from './subject.ts';
import { PkiError } from './errors.ts';

/** Bit numbers of KeyUsage (RFC 5280 §4.2.1.3). */
const USAGE_BITS: Record<KeyUsageName, number> = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 };

const NAME_TYPES: Readonly<Record<string, string>> = {
  C: OID.countryName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  E: OID.emailAddress,
};

/** 16 random bytes, positive and without a leading zero byte: lowercase hex. */
export function newSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

export interface CertificateIssuer {
  caName: CaName;
  /** The issuer's certificate; absent when self-signing the root. */
  certificate: ParsedCertificate | null;
  /** A software CA key… */
  privateKey?: crypto.KeyObject;
  /** …or a key that signs where it lives (a PKCS#11 token): returns the value as X.509 carries it. */
  signer?: Pick<Signer, 'sign'>;
  keyType: KeyType;
}

export interface BuildParams {
  profile: CertificateProfile;
  subject: JsonName;
  /** SubjectPublicKeyInfo DER of the subject key. */
  publicKey: Uint8Array;
  issuer: CertificateIssuer;
  /** Base of the engine's public URLs (CRL, OCSP, CA certificates). */
  publicBaseUrl: string;
  email?: string | undefined;
  serial?: string;
  notBefore?: Date;
  validityDays?: number;
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Name ::= SEQUENCE OF RDN, one attribute per RDN; PrintableString when the value allows it, as openssl does. */
export function encodeName(name: JsonName): Buffer {
  const rdns = name.map((rdn) =>
    setOf(
      ...Object.entries(rdn).flatMap(([type, values]) => {
        const typeOid = NAME_TYPES[type];
        if (!typeOid) throw new PkiError('INVALID_NAME', `Attribut de nom inconnu « ${type} ».`);
        return values.map((value) => seq(oid(typeOid), typeOid === OID.emailAddress ? ia5(value) : PRINTABLE.test(value) ? printable(value) : utf8(value)));
      }),
    ),
  );
  return seq(...rdns);
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

const extension = (id: string, critical: boolean, value: Uint8Array): Buffer => seq(oid(id), critical ? bool(true) : Buffer.alloc(0), octets(value));

/** Builds and signs one certificate exactly as its profile says. */
export async function buildCertificate(params: BuildParams): Promise<ParsedCertificate> {
  const { profile, issuer } = params;
  const days = params.validityDays ?? profile.validityDays;
  if (!Number.isInteger(days) || days < 1 || days > profile.validityDays) {
    throw new PkiError('INVALID_VALIDITY', `Durée de validité invalide (${days} jours) : le profil « ${profile.name} » autorise 1 à ${profile.validityDays} jours.`);
  }
  // A minute in the past, so that a verifier with a slightly late clock accepts it at once.
  const notBefore = wholeSeconds(params.notBefore ?? new Date(Date.now() - 60_000));
  let notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  if (issuer.certificate) {
    if (notBefore >= issuer.certificate.notAfter || notBefore < issuer.certificate.notBefore) {
      throw new PkiError('CA_EXPIRED', `L’AC « ${issuer.caName} » n’est pas valide à la date d’émission.`);
    }
    if (notAfter > issuer.certificate.notAfter) notAfter = issuer.certificate.notAfter;
  }

  let subjectKey: crypto.KeyObject;
  let keyBits: Uint8Array;
  try {
    subjectKey = crypto.createPublicKey({ key: Buffer.from(params.publicKey), format: 'der', type: 'spki' });
    keyBits = parse(params.publicKey).child(1, 'clé publique').bits('clé publique');
  } catch (cause) {
    throw new PkiError('MALFORMED_KEY', 'Clé publique illisible : SubjectPublicKeyInfo DER attendu.', { cause });
  }
  // RFC 5280 §4.2.1.2 method 1: the SHA-1 of the subjectPublicKey bits.
  const ski = hash('SHA-1', keyBits);
  const issuerSki = issuer.certificate ? issuer.certificate.subjectKeyId : Buffer.from(ski).toString('hex');
  if (!issuerSki) throw new PkiError('CA_WITHOUT_SKI', `Le certificat de l’AC « ${issuer.caName} » n’a pas d’identifiant de clé.`);

  const bc = profile.basicConstraints;
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, seq(bc.ca ? bool(true) : Buffer.alloc(0), bc.pathLength !== undefined ? integer(bc.pathLength) : Buffer.alloc(0))),
    extension(OID.keyUsage, true, namedBits(...profile.keyUsage.map((name) => USAGE_BITS[name]))),
    extension(OID.subjectKeyIdentifier, false, octets(ski)),
    extension(OID.authorityKeyIdentifier, false, seq(ctxPrimitive(0, Buffer.from(issuerSki, 'hex')))),
  ];
  if (profile.extendedKeyUsage.length > 0) {
    extensions.push(extension(OID.extKeyUsage, profile.extendedKeyUsageCritical, seq(...profile.extendedKeyUsage.map((usage) => oid(usage)))));
  }
  if (profile.policies.length > 0) extensions.push(extension(OID.certificatePolicies, false, seq(...profile.policies.map((policy) => seq(oid(policy))))));
  if (profile.revocationPointers) {
    const urls = caUrls(params.publicBaseUrl, issuer.caName);
    const uri = (url: string): Buffer => ctxPrimitive(6, Buffer.from(url, 'latin1'));
    extensions.push(extension(OID.crlDistributionPoints, false, seq(seq(ctx(0, ctx(0, uri(urls.crl)))))));
    extensions.push(extension(OID.authorityInfoAccess, false, seq(seq(oid(OID.ocsp), uri(urls.ocsp)), seq(oid(OID.caIssuers), uri(urls.caIssuers)))));
  }
  if (params.email) extensions.push(extension(OID.subjectAltName, false, seq(ctxPrimitive(1, Buffer.from(params.email, 'latin1')))));
  if (profile.ocspNoCheck) extensions.push(extension(OID.ocspNoCheck, false, Buffer.from([0x05, 0x00])));

  // The issuer's own key decides the signature algorithm: its certificate's, or the subject's when self-signing.
  const issuerKey = issuer.certificate ? publicKeyOf(issuer.certificate) : subjectKey;
  const digest = KEY_SPECS[issuer.keyType].hash;
  const algorithm = signatureAlgorithmId(keyAlgorithmOf(issuerKey), digest);
  const subjectName = encodeName(params.subject);
  const tbs = seq(
    ctx(0, integer(2)),
    hexInteger(params.serial ?? newSerial()),
    algorithm,
    issuer.certificate ? issuer.certificate.subjectDer : subjectName,
    seq(x509Time(notBefore), x509Time(notAfter)),
    subjectName,
    params.publicKey,
    ctx(3, seq(...extensions)),
  );
  const signature = await signTbs(issuer, tbs, digest);
  return parseCertificate(new Uint8Array(seq(tbs, algorithm, bitString(signature))));
}

async function signTbs(issuer: CertificateIssuer, tbs: Buffer, digest: HashAlgorithm): Promise<Uint8Array> {
  if (issuer.privateKey) {
    const key = issuer.privateKey;
    // libuv's thread pool: a CA signing for a busy server does not hold its event loop.
    return new Promise((resolve, reject) => crypto.sign(DIGESTS[digest].node, tbs, key, (error, sig) => (error ? reject(error) : resolve(sig))));
  }
  if (!issuer.signer) throw new PkiError('CA_KEY_UNAVAILABLE', `La clé de l’AC « ${issuer.caName} » n’est pas disponible.`);
  return issuer.signer.sign(tbs, digest);
}
