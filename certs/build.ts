import crypto from 'node:crypto';
import { x509 } from './x509.ts';
import type { CertificateProfile, CaName, KeyUsageName } from './profiles.ts';
import { caUrls, OID_OCSP_NOCHECK } from './profiles.ts';
import { generateSoftwareKey, KEY_SPECS, type KeyType, toWebCryptoPrivateKey, webCryptoSigningAlgorithm } from './keys.ts';
import type { Signer } from './types.ts';
import type { JsonName } from './subject.ts';
import { PkiError } from './errors.ts';

const USAGE_FLAGS: Record<KeyUsageName, x509.KeyUsageFlags> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
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
  certificate: x509.X509Certificate | null;
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

/** Builds and signs one certificate exactly as its profile says. */
export async function buildCertificate(params: BuildParams): Promise<x509.X509Certificate> {
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

  const publicKey = await x509.PublicKey.create(new Uint8Array(params.publicKey));
  const ski = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  const issuerSki = issuer.certificate ? issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension) : ski;
  if (!issuerSki) throw new PkiError('CA_WITHOUT_SKI', `Le certificat de l’AC « ${issuer.caName} » n’a pas d’identifiant de clé.`);

  const usage = profile.keyUsage.reduce<number>((flags, name) => flags | USAGE_FLAGS[name], 0) as x509.KeyUsageFlags;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(profile.basicConstraints.ca, profile.basicConstraints.pathLength, true),
    new x509.KeyUsagesExtension(usage, true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false),
  ];
  if (profile.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension([...profile.extendedKeyUsage], profile.extendedKeyUsageCritical));
  }
  if (profile.policies.length > 0) extensions.push(new x509.CertificatePolicyExtension([...profile.policies], false));
  if (profile.revocationPointers) {
    const urls = caUrls(params.publicBaseUrl, issuer.caName);
    extensions.push(new x509.CRLDistributionPointsExtension([urls.crl], false));
    extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.caIssuers }, false));
  }
  if (params.email) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'email', value: params.email }], false));
  if (profile.ocspNoCheck) extensions.push(new x509.Extension(OID_OCSP_NOCHECK, false, new Uint8Array([0x05, 0x00])));

  const createParams = {
    serialNumber: params.serial ?? newSerial(),
    subject: params.subject,
    issuer: issuer.certificate ? issuer.certificate.subjectName : params.subject,
    notBefore,
    notAfter,
    publicKey,
    signingAlgorithm: webCryptoSigningAlgorithm(issuer.keyType),
    extensions,
  };
  if (issuer.privateKey) {
    return x509.X509CertificateGenerator.create({ ...createParams, signingKey: await toWebCryptoPrivateKey(issuer.privateKey) });
  }
  if (!issuer.signer) throw new PkiError('CA_KEY_UNAVAILABLE', `La clé de l’AC « ${issuer.caName} » n’est pas disponible.`);
  // The generator only signs with a CryptoKey: build once with a throw-away key of the same
  // type (same algorithm identifier), then put the CA's own signature over the same TBS.
  const draft = await x509.X509CertificateGenerator.create({ ...createParams, signingKey: await placeholderKey(issuer.keyType) });
  const [tbs, algorithm] = derChildren(new Uint8Array(draft.rawData));
  const signature = await issuer.signer.sign(tbs!, KEY_SPECS[issuer.keyType].hash);
  const bitString = derTlv(0x03, Buffer.concat([Buffer.from([0]), Buffer.from(signature)]));
  return new x509.X509Certificate(new Uint8Array(derTlv(0x30, Buffer.concat([tbs!, algorithm!, bitString]))));
}

const placeholders = new Map<KeyType, Promise<CryptoKey>>();

function placeholderKey(type: KeyType): Promise<CryptoKey> {
  let key = placeholders.get(type);
  if (!key) {
    key = generateSoftwareKey(type).then((pair) => toWebCryptoPrivateKey(pair.privateKey));
    placeholders.set(type, key);
  }
  return key;
}

/** The full TLVs inside a DER SEQUENCE (here: tbsCertificate, signatureAlgorithm, signature). */
function derChildren(der: Uint8Array): Buffer[] {
  const header = (at: number): { length: number; start: number } => {
    const first = der[at + 1]!;
    if (first < 0x80) return { length: first, start: at + 2 };
    let length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[at + 2 + i]!;
    return { length, start: at + 2 + (first & 0x7f) };
  };
  const outer = header(0);
  const out: Buffer[] = [];
  for (let at = outer.start; at < outer.start + outer.length;) {
    const { length, start } = header(at);
    out.push(Buffer.from(der.subarray(at, start + length)));
    at = start + length;
  }
  return out;
}

function derTlv(tag: number, body: Buffer): Uint8Array {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...length]), body]));
}
