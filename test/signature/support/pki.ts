import crypto from 'node:crypto';
import { x509 } from '../../certs/validation/fixtures.ts';
import { POLICY_OIDS } from '../../../certs/policies.ts';

export type TestKeyType = 'rsa2048' | 'ec256' | 'ec384';

export interface TestCert {
  der: Uint8Array;
  pem: string;
  privateKey: crypto.KeyObject;
  cert: x509.X509Certificate;
}

export interface TestPki {
  root: TestCert;
  ca: TestCert;
  tsa: TestCert;
  /** Issues an end-entity signing certificate under the CA. */
  issue(opts: { cn: string; o?: string; keyType?: TestKeyType; policy?: string; crlUrl?: string; ocspUrl?: string; notBefore?: Date; notAfter?: Date }): Promise<TestCert>;
  /** Certifies a key held elsewhere (a PKCS#11 token): SPKI DER in, certificate out. */
  certify(opts: { cn: string; o?: string; spki: Uint8Array; policy?: string }): Promise<Uint8Array>;
  /** A fresh CRL from the CA (empty or revoking `revoked`). */
  caCrl(revoked?: TestCert[]): Promise<Uint8Array>;
  rootCrl(): Promise<Uint8Array>;
}

const ALGS = {
  rsa2048: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ec256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  ec384: { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
} as const;

async function keyPair(type: TestKeyType): Promise<CryptoKeyPair> {
  return (await crypto.webcrypto.subtle.generateKey(ALGS[type] as RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

const toTest = (cert: x509.X509Certificate, key: CryptoKey): TestCert => ({
  der: new Uint8Array(cert.rawData),
  pem: cert.toString('pem') + '\n',
  privateKey: crypto.KeyObject.from(key),
  cert,
});

/**
 * A throw-away hierarchy root → issuing CA → end entities, plus a TSA whose
 * certificate has the single critical EKU timeStamping. `crlBase` adds CDPs, `caOcspUrl` an
 * OCSP URL to the issuing CA's certificate (a responder the root answers for).
 */
export async function createTestPki(opts: { crlBase?: string; caKeyType?: 'ec256' | 'rsa2048'; caOcspUrl?: string; name?: string } = {}): Promise<TestPki> {
  const now = Date.now();
  const notBefore = new Date(now - 3600_000);
  const notAfter = new Date(now + 365 * 86_400_000);
  const caKeyType = opts.caKeyType ?? 'ec256';
  // A second hierarchy in the same test (another TSA's) gets names of its own.
  const suffix = opts.name ? ` ${opts.name}` : '';
  const signing = ALGS[caKeyType];

  const rootKeys = await keyPair(caKeyType);
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=Racine de test Passeport${suffix}, O=Passeport, C=FR`,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const issueUnder = async (
    issuer: x509.X509Certificate,
    issuerKey: CryptoKey,
    name: string,
    keys: CryptoKeyPair,
    extra: x509.Extension[],
    validity: { notBefore?: Date | undefined; notAfter?: Date | undefined } = {},
  ): Promise<x509.X509Certificate> =>
    x509.X509CertificateGenerator.create({
      serialNumber: crypto
        .randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      subject: name,
      issuer: issuer.subject,
      notBefore: validity.notBefore ?? notBefore,
      notAfter: validity.notAfter ?? notAfter,
      publicKey: keys.publicKey,
      signingKey: issuerKey,
      signingAlgorithm: signing,
      extensions: [await x509.SubjectKeyIdentifierExtension.create(keys.publicKey), await x509.AuthorityKeyIdentifierExtension.create(issuer), ...extra],
    });

  const caKeys = await keyPair(caKeyType);
  const caCert = await issueUnder(rootCert, rootKeys.privateKey, `CN=AC Signature de test${suffix}, O=Passeport, C=FR`, caKeys, [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ...(opts.crlBase ? [new x509.CRLDistributionPointsExtension([`${opts.crlBase}/root.crl`])] : []),
    ...(opts.caOcspUrl ? [new x509.AuthorityInfoAccessExtension({ ocsp: [opts.caOcspUrl] })] : []),
  ]);
  const leafExtensions = (policy: string): x509.Extension[] => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.CertificatePolicyExtension([policy]),
    ...(opts.crlBase ? [new x509.CRLDistributionPointsExtension([`${opts.crlBase}/ca.crl`])] : []),
  ];
  const tsaKeys = await keyPair('ec256');
  const tsaCert = await issueUnder(caCert, caKeys.privateKey, `CN=Horodatage de test${suffix}, O=Passeport, C=FR`, tsaKeys, [
    ...leafExtensions(POLICY_OIDS.tsa),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true),
  ]);

  const crlFrom = async (issuer: x509.X509Certificate, key: CryptoKey, revoked: TestCert[]): Promise<Uint8Array> => {
    const crl = await x509.X509CrlGenerator.create({
      issuer: issuer.subject,
      thisUpdate: new Date(now - 60_000),
      nextUpdate: new Date(now + 7 * 86_400_000),
      entries: revoked.map((r) => ({ serialNumber: r.cert.serialNumber, revocationDate: new Date(now - 30_000) })),
      signingKey: key,
      signingAlgorithm: signing,
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuer), new x509.Extension('2.5.29.20', false, new Uint8Array([2, 1, 1]))],
    });
    return new Uint8Array(crl.rawData);
  };

  return {
    root: toTest(rootCert, rootKeys.privateKey),
    ca: toTest(caCert, caKeys.privateKey),
    tsa: toTest(tsaCert, tsaKeys.privateKey),
    async issue({ cn, o = 'Entreprise de test', keyType = 'ec256', policy = POLICY_OIDS.rgs1, crlUrl, ocspUrl, notBefore: from, notAfter: until }) {
      const keys = await keyPair(keyType);
      const extensions = leafExtensions(policy).filter((e) => !crlUrl || !(e instanceof x509.CRLDistributionPointsExtension));
      if (crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([crlUrl]));
      if (ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [ocspUrl] }));
      const cert = await issueUnder(
        caCert,
        caKeys.privateKey,
        `CN=${cn}, O=${o}, C=FR`,
        keys,
        [...extensions, new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true)],
        { notBefore: from, notAfter: until },
      );
      return toTest(cert, keys.privateKey);
    },
    async certify({ cn, o = 'Banque de test', spki, policy = POLICY_OIDS.seal3 }) {
      const publicKey = await crypto.webcrypto.subtle.importKey('spki', new Uint8Array(spki), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
      const cert = await issueUnder(caCert, caKeys.privateKey, `CN=${cn}, O=${o}, C=FR`, { publicKey, privateKey: publicKey }, [
        ...leafExtensions(policy),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
      ]);
      return new Uint8Array(cert.rawData);
    },
    caCrl: (revoked = []) => crlFrom(caCert, caKeys.privateKey, revoked),
    rootCrl: () => crlFrom(rootCert, rootKeys.privateKey, []),
  };
}
