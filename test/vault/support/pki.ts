/**
 * A throw-away PKI for the vault's tests: root → CA → signers and timestamp units (of any
 * validity, for preservation), CRLs served over HTTP at the URLs the certificates name,
 * and real RFC 3161 authorities (certs/tsa/authority.ts) with serials in PostgreSQL.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { POLICY_OIDS } from '../../../certs/policies.ts';
import { createTimestampAuthority, type TimestampAuthority } from '../../../certs/tsa/authority.ts';
import { keyObjectSigner } from '../../../certs/tsa/key-signer.ts';
import { createSerialAllocator } from '../../../certs/tsa/serials.ts';
import type { Sql } from '../../../db/connect.ts';
import { pkiStore } from '../../../db/repositories/pki.ts';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  der: Uint8Array;
  pem: string;
  privateKey: crypto.KeyObject;
  notAfter: Date;
}

export interface VaultTestPki {
  root: Issued;
  ca: Issued;
  crlUrl: string;
  /** A timestamp unit valid `days` days from an hour ago, with its authority. */
  authority(sql: Sql, days: number, name?: string): Promise<{ unit: Issued; authority: TimestampAuthority }>;
  signer(cn: string): Promise<Issued>;
  close(): Promise<void>;
}

async function keys(): Promise<CryptoKeyPair> {
  return (await crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function toIssued(cert: x509.X509Certificate, key: CryptoKey): Issued {
  return { der: new Uint8Array(cert.rawData), pem: `${cert.toString('pem')}\n`, privateKey: crypto.KeyObject.from(key), notAfter: cert.notAfter };
}

export async function createVaultTestPki(): Promise<VaultTestPki> {
  const crls = new Map<string, () => Promise<Uint8Array>>();
  const server = http.createServer((req, res) => {
    const make = crls.get(req.url ?? '');
    if (!make) return void res.writeHead(404).end();
    make().then(
      (der) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(der)),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = Date.now();

  const rootKeys = await keys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Racine de test du coffre-fort, O=Passeport, C=FR',
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 20 * 365 * DAY),
    keys: rootKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const under = async (issuer: x509.X509Certificate, issuerKey: CryptoKey, name: string, pair: CryptoKeyPair, days: number, extra: x509.Extension[]) =>
    x509.X509CertificateGenerator.create({
      serialNumber: crypto
        .randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      subject: name,
      issuer: issuer.subject,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + days * DAY),
      publicKey: pair.publicKey,
      signingKey: issuerKey,
      signingAlgorithm: EC,
      extensions: [await x509.SubjectKeyIdentifierExtension.create(pair.publicKey), await x509.AuthorityKeyIdentifierExtension.create(issuer), ...extra],
    });

  const caKeys = await keys();
  const ca = await under(root, rootKeys.privateKey, 'CN=AC de test du coffre-fort, O=Passeport, C=FR', caKeys, 15 * 365, [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    new x509.CRLDistributionPointsExtension([`${base}/root.crl`]),
  ]);
  const crlOf = (issuer: x509.X509Certificate, key: CryptoKey) => async (): Promise<Uint8Array> => {
    const crl = await x509.X509CrlGenerator.create({
      issuer: issuer.subject,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + 7 * DAY),
      entries: [],
      signingKey: key,
      signingAlgorithm: EC,
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(issuer), new x509.Extension('2.5.29.20', false, new Uint8Array([2, 1, 1]))],
    });
    return new Uint8Array(crl.rawData);
  };
  crls.set('/root.crl', crlOf(root, rootKeys.privateKey));
  crls.set('/ca.crl', crlOf(ca, caKeys.privateKey));
  const leaf = (policy: string): x509.Extension[] => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.CertificatePolicyExtension([policy]),
    new x509.CRLDistributionPointsExtension([`${base}/ca.crl`]),
  ];
  let units = 0;

  return {
    root: toIssued(root, rootKeys.privateKey),
    ca: toIssued(ca, caKeys.privateKey),
    crlUrl: `${base}/ca.crl`,
    async authority(sql, days, name = `Horodatage de test ${++units}`) {
      const pair = await keys();
      const cert = await under(ca, caKeys.privateKey, `CN=${name}, O=Passeport, C=FR`, pair, days, [
        ...leaf(POLICY_OIDS.tsa),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true),
      ]);
      const unit = toIssued(cert, pair.privateKey);
      const authority = createTimestampAuthority({
        signer: keyObjectSigner(unit.privateKey, unit.der, [new Uint8Array(ca.rawData)]),
        serials: createSerialAllocator(pkiStore(sql), { tsaName: name }),
      });
      return { unit, authority };
    },
    async signer(cn) {
      const pair = await keys();
      const cert = await under(ca, caKeys.privateKey, `CN=${cn}, O=Entreprise de test, C=FR`, pair, 3 * 365, [
        ...leaf(POLICY_OIDS.rgs1),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
      ]);
      return toIssued(cert, pair.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
