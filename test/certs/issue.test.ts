import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { initPki, loadCa } from '../../certs/ca.ts';
import { issueCertificate, type IssueRequest } from '../../certs/issue.ts';
import { hashDocumentNumber } from '../../certs/registration.ts';
import { CA_NAMES, PROFILES } from '../../certs/profiles.ts';
import { KEY_TYPES } from '../../certs/keys.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { PkiError } from '../../certs/errors.ts';
import { loadServiceSigner } from '../../certs/service-keys.ts';
import { certText, openssl, tempDir, verifyWithOpenssl, writePem } from './pki-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

const secret = { secret: 'secret-maitre-de-test-0123456789' };
const base = 'https://passeport.example.test';
const person = { name: 'Camille Martin', organisation: 'Atelier Martin', siren: '732829320' };
const remote = { identityCheck: 'remote' as const, operator: 'guichet-1', documentType: 'id_card' as const, documentNumber: 'AB12 3456 7' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = tempDir('pki-issue');

beforeAll(async () => {
  db = await createTestDatabase();
  const first = await initPki(pkiStore(db.sql), { ...secret, publicBaseUrl: base, caKeyType: 'ec384' });
  expect(first.created).toEqual([...CA_NAMES]);
});
afterAll(async () => {
  await db?.drop();
});

async function expectPkiError(promise: Promise<unknown>, code: string, text?: RegExp): Promise<PkiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PkiError);
  expect((error as PkiError).code).toBe(code);
  if (text) expect((error as PkiError).message).toMatch(text);
  return error as PkiError;
}

describe('initPki', () => {
  it('is idempotent: a second run changes nothing and says so', async () => {
    const before = await db.sql`select name, serial, certificate from pki_ca order by name`;
    const again = await initPki(pkiStore(db.sql), { ...secret, publicBaseUrl: base, caKeyType: 'ec384' });
    expect(again.created).toEqual([]);
    expect(again.existing).toEqual([...CA_NAMES]);
    expect(again.message).toMatch(/rien n’a changé/);
    const after = await db.sql`select name, serial, certificate from pki_ca order by name`;
    expect(after).toEqual(before);
  });

  it('CA certificates pass openssl strict checks and carry their policies', async () => {
    const root = await loadCa(pkiStore(db.sql), 'root', secret);
    expect(root.chain).toEqual([]);
    const rootText = certText(root.certificate);
    expect(rootText).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    for (const name of ['rgs1', 'rgs2', 'rgs3', 'seal', 'tsa'] as const) {
      const ca = await loadCa(pkiStore(db.sql), name, secret);
      expect(ca.chain).toHaveLength(1);
      const policy = PROFILES[`ca-${name}` as const].policies[0]!;
      const verdict = verifyWithOpenssl(dir, ca.certificate, [root.certificate], policy);
      expect(verdict.stderr + verdict.stdout).toMatch(/: OK/);
      const text = certText(ca.certificate);
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(text).toContain(`Policy: ${policy}`);
      expect(text).toContain(`URI:${base}/pki/crl/root.crl`);
      // the CA's own signer signs with its key, checked with its certificate's public key
      const data = crypto.randomBytes(64);
      const sig = await ca.signer.sign(data, 'SHA-384');
      const pub = new crypto.X509Certificate(ca.certificate).publicKey;
      expect(crypto.verify('sha384', data, { key: pub, dsaEncoding: 'der' }, sig)).toBe(true);
    }
  });

  it('refuses to unseal CA keys with a wrong master secret, without printing it', async () => {
    const error = await expectPkiError(loadCa(pkiStore(db.sql), 'rgs1', { secret: 'un-autre-secret-assez-long' }), 'CA_KEY_UNSEAL_FAILED', /secret maître/);
    expect(error.message).not.toContain('un-autre-secret');
  });
});

const softwareProfiles = ['person-rgs1', 'authentication', 'tsa', 'ocsp-responder'] as const;

describe('issuance of every software profile and key type', () => {
  for (const profileName of softwareProfiles) {
    for (const keyType of KEY_TYPES) {
      it(`${profileName} with ${keyType}: openssl verify accepts it and shows the profile's fields`, async () => {
        const profile = PROFILES[profileName];
        const request: IssueRequest = {
          profile: profileName,
          subject: { ...person, email: 'camille@example.test' },
          key: { store: 'software', type: keyType },
          registration: remote,
          caName: 'rgs2',
          secret,
        };
        const issued = await issueCertificate(pkiStore(db.sql), request);
        expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
        expect(issued.keyType).toBe(keyType);
        const policy = profile.policies[0]!;
        const verdict = verifyWithOpenssl(dir, issued.certificate, issued.chain, policy);
        expect(verdict.stderr + verdict.stdout).toMatch(/: OK\n/);
        const text = certText(issued.certificate);
        expect(text).toContain(`Policy: ${policy}`);
        expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
        expect(text).toMatch(/Subject Key Identifier/);
        expect(text).toMatch(/Authority Key Identifier/);
        if (profileName === 'person-rgs1') {
          expect(text).toMatch(/Key Usage: critical\s+Non Repudiation\n/);
          expect(text).toContain('Subject: C=FR, O=Atelier Martin, OU=0002 732829320, CN=Camille Martin');
          expect(text).toContain('email:camille@example.test');
          // the judge can say no: the same certificate is refused under the RGS ** policy
          const wrongPolicy = verifyWithOpenssl(dir, issued.certificate, issued.chain, POLICY_OIDS.rgs2);
          expect(wrongPolicy.status).not.toBe(0);
          expect(wrongPolicy.stderr + wrongPolicy.stdout).toMatch(/policy/i);
        }
        if (profileName === 'authentication') {
          expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
          expect(text).toMatch(/Extended Key Usage: \s+TLS Web Client Authentication/);
        }
        if (profileName === 'tsa') {
          expect(text).toMatch(/Extended Key Usage: critical\s+Time Stamping\n/);
          expect(
            openssl([
              'verify',
              '-CAfile',
              writePem(dir, 'r.pem', [issued.chain.at(-1)!]),
              '-untrusted',
              writePem(dir, 'c.pem', issued.chain.slice(0, -1)),
              '-purpose',
              'timestampsign',
              writePem(dir, 'tsa.pem', [issued.certificate]),
            ]).stdout,
          ).toMatch(/: OK/);
        }
        if (profileName === 'ocsp-responder') {
          expect(text).toMatch(/Extended Key Usage: \s+OCSP Signing/);
          expect(text).toContain('OCSP No Check');
          expect(text).not.toContain('CRL Distribution Points');
          expect(issued.caName).toBe('rgs2');
        } else {
          const ca = issued.caName;
          expect(text).toContain(`URI:${base}/pki/crl/${ca}.crl`);
          expect(text).toContain(`OCSP - URI:${base}/pki/ocsp`);
          expect(text).toContain(`CA Issuers - URI:${base}/pki/ca/${ca}.cer`);
        }
        const days = (issued.notAfter.getTime() - issued.notBefore.getTime()) / 86_400_000;
        expect(days).toBeLessThanOrEqual(3 * 365);
        // a software key comes back to the caller, and matches the certificate
        const data = crypto.randomBytes(32);
        const sig = crypto.sign('sha256', data, issued.privateKey!);
        expect(crypto.verify('sha256', data, new crypto.X509Certificate(issued.certificate).publicKey, sig)).toBe(true);
      });
    }
  }
});

describe('registration', () => {
  it('records the evidence with a hash of the document number, never the number', async () => {
    const issued = await issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: person, key: { store: 'software', type: 'ec256' }, registration: remote, secret });
    const record = await pkiStore(db.sql).findRegistration(issued.caName, issued.serial);
    expect(record).toMatchObject({ identityCheck: 'remote', operator: 'guichet-1', documentType: 'id_card' });
    expect(record!.documentNumberSha256).toBe(hashDocumentNumber('AB1234567'));
    expect(record!.documentNumberSha256).toBe(crypto.createHash('sha256').update('AB1234567').digest('hex'));
    const dump = JSON.stringify(await db.sql`select identity_check, operator, document_type, document_number_sha256 from pki_registration`);
    expect(dump).not.toContain('AB12');
    const found = await pkiStore(db.sql).findIssuedCertificate('rgs1', issued.serial.toUpperCase());
    expect(found).toMatchObject({ serial: issued.serial, profile: 'person-rgs1', level: 1, siren: '732829320', caName: 'rgs1', keyLocation: 'software' });
    expect(Buffer.from(found!.der).equals(Buffer.from(issued.certificate))).toBe(true);
    const listed = await pkiStore(db.sql).listIssuedCertificates({ caName: 'rgs1', level: 1 });
    expect(listed.map((c) => c.serial)).toContain(issued.serial);
    expect(await pkiStore(db.sql).findIssuedCertificate('rgs1', '00ff')).toBeNull();
  });

  it('refuses RGS ** and *** without face-to-face evidence, before touching any key store', async () => {
    const token = { modulePath: '/nonexistent/module.so', tokenLabel: 'jamais', pin: '1234' };
    for (const profile of ['person-rgs2', 'person-rgs3', 'seal-rgs3'] as const) {
      await expectPkiError(
        issueCertificate(pkiStore(db.sql), { profile, subject: person, key: { store: 'token', type: 'ec256', token }, registration: remote, secret }),
        'FACE_TO_FACE_REQUIRED',
        /face à face/,
      );
      await expectPkiError(issueCertificate(pkiStore(db.sql), { profile, subject: person, key: { store: 'token', type: 'ec256', token }, secret }), 'REGISTRATION_MISSING');
    }
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), {
        profile: 'person-rgs2',
        subject: person,
        key: { store: 'token', type: 'ec256', token },
        registration: { identityCheck: 'face_to_face', operator: 'agence' },
        secret,
      }),
      'REGISTRATION_INVALID',
      /pièce d’identité/,
    );
  });

  it('refuses a software key for RGS ** (the level requires a token)', async () => {
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), {
        profile: 'person-rgs2',
        subject: person,
        key: { store: 'software', type: 'ec256' },
        registration: { identityCheck: 'face_to_face', operator: 'agence', documentType: 'passport', documentNumber: '19AB12345' },
        secret,
      }),
      'KEY_STORE_NOT_ALLOWED',
      /jeton PKCS#11/,
    );
  });

  it('refuses a bad SIREN, an unknown key type, a bad name, with precise French errors', async () => {
    const soft = { store: 'software' as const, type: 'ec256' };
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: { ...person, siren: '732829321' }, key: soft, registration: remote, secret }),
      'INVALID_SIREN',
      /Luhn/,
    );
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: { ...person, siren: '12345' }, key: soft, registration: remote, secret }),
      'INVALID_SIREN',
      /9 chiffres/,
    );
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: person, key: { store: 'software', type: 'dsa1024' }, registration: remote, secret }),
      'UNKNOWN_KEY_TYPE',
      /dsa1024/,
    );
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: { ...person, name: 'Camille' }, key: soft, registration: remote, secret }),
      'INVALID_NAME',
      /Prénom Nom/,
    );
    await expectPkiError(issueCertificate(pkiStore(db.sql), { profile: 'root-ca' as never, subject: person, key: soft, registration: remote, secret }), 'UNKNOWN_PROFILE');
    // La Poste's SIREN fails Luhn but is valid
    const poste = await issueCertificate(pkiStore(db.sql), { profile: 'person-rgs1', subject: { ...person, siren: '356000000' }, key: soft, registration: remote, secret });
    expect(poste.subject).toContain('0002 356000000');
    const count = await db.sql`select count(*)::int as n from pki_certificate where siren = '732829321'`;
    expect(count[0]!.n).toBe(0);
  });

  it('certifies an external public key (deferred signing from a browser)', async () => {
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
    const issued = await issueCertificate(pkiStore(db.sql), {
      profile: 'person-rgs1',
      subject: person,
      key: { store: 'public-key', publicKey: spki, location: 'navigateur' },
      registration: remote,
      secret,
    });
    expect(issued.keyLocation).toBe('navigateur');
    expect(issued.privateKey).toBeUndefined();
    expect(verifyWithOpenssl(dir, issued.certificate, issued.chain, POLICY_OIDS.rgs1).stdout).toMatch(/: OK/);
    await expectPkiError(
      issueCertificate(pkiStore(db.sql), {
        profile: 'person-rgs1',
        subject: person,
        key: { store: 'public-key', publicKey: new Uint8Array([1, 2, 3]) },
        registration: remote,
        secret,
      }),
      'MALFORMED_KEY',
    );
  });
});

describe('service keys (TSA unit, OCSP responders)', () => {
  it('issues the TSA certificate once, seals its key, and gives the same signer afterwards', async () => {
    await expectPkiError(loadServiceSigner(pkiStore(db.sql), 'tsa', { ...secret, create: false }), 'SERVICE_KEY_MISSING');
    const first = await loadServiceSigner(pkiStore(db.sql), 'tsa', secret);
    const again = await loadServiceSigner(pkiStore(db.sql), 'tsa', secret);
    expect(again.serial).toBe(first.serial);
    expect(first.keyAlgorithm).toEqual({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048 });
    expect(first.chain).toHaveLength(2);
    const text = certText(first.certificate);
    expect(text).toMatch(/Extended Key Usage: critical\s+Time Stamping\n/);
    const data = crypto.randomBytes(20);
    expect(crypto.verify('sha256', data, new crypto.X509Certificate(first.certificate).publicKey, await again.sign(data, 'SHA-256'))).toBe(true);
    const sealed = await db.sql`select key_ciphertext from pki_service_key where name = 'tsa'`;
    expect(sealed).toHaveLength(1);
    const ocsp = await loadServiceSigner(pkiStore(db.sql), 'ocsp-seal', { ...secret, keyType: 'ec256' });
    expect(ocsp.caName).toBe('seal');
    expect(certText(ocsp.certificate)).toContain('OCSP No Check');
    await expectPkiError(loadServiceSigner(pkiStore(db.sql), 'ocsp-root' as never, secret), 'UNKNOWN_SERVICE');
  });
});
