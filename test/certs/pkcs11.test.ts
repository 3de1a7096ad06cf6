import crypto from 'node:crypto';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { initPki, loadCa } from '../../certs/ca.ts';
import { issueCertificate, type IssuedResult } from '../../certs/issue.ts';
import { openTokenSigner, TokenSession } from '../../certs/pkcs11.ts';
import { createSoftHsmStore, initSoftHsmToken } from '../../certs/softhsm.ts';
import { PROFILES } from '../../certs/profiles.ts';
import { KEY_TYPES } from '../../certs/keys.ts';
import { PkiError } from '../../certs/errors.ts';
import { certText, tempDir, verifyWithOpenssl } from './pki-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

const P = pkcs11js;
const secret = { secret: 'secret-maitre-de-test-0123456789' };
const dir = tempDir('pki-pkcs11');
const store = createSoftHsmStore(path.join(dir, 'softhsm'));
const PIN = '246810';
const CA_PIN = '864200';
const token = { modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'passeport-test', pin: PIN };
const faceToFace = { identityCheck: 'face_to_face' as const, operator: 'agence-paris', documentType: 'passport' as const, documentNumber: '19AB12345' };
const person = { name: 'Élodie Dupont-Marchal', organisation: 'Boulangerie Dupont', siren: '732829320' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  process.env.SOFTHSM2_CONF = store.confPath;
  initSoftHsmToken(store, { label: 'passeport-test', pin: PIN, soPin: '13579135' });
  initSoftHsmToken(store, { label: 'vide', pin: PIN, soPin: '13579135' });
  initSoftHsmToken(store, { label: 'ac-jeton', pin: CA_PIN, soPin: '13579135' });
  db = await createTestDatabase();
  await initPki(pkiStore(db.sql), { ...secret, publicBaseUrl: 'http://127.0.0.1:8080', caKeyType: 'ec256' });
});
afterAll(async () => {
  await db?.drop();
  await caDb?.drop();
});
let caDb: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

async function refusal(run: () => unknown, code: string): Promise<PkiError> {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(PkiError);
  expect((error as PkiError).code).toBe(code);
  expect((error as PkiError).message).not.toContain(PIN);
  return error as PkiError;
}

const issued = new Map<string, IssuedResult>();

describe('token profiles: key generated on the SoftHSM2 token', () => {
  for (const profileName of ['person-rgs2', 'person-rgs3', 'seal-rgs3'] as const) {
    for (const keyType of KEY_TYPES) {
      it(`${profileName} with ${keyType}: openssl verify accepts it, the token holds key and certificate`, async () => {
        const keyLabel = `${profileName}-${keyType}`;
        const result = await issueCertificate(pkiStore(db.sql), {
          profile: profileName,
          // a seal is named after the organisation when no seal name is given
          subject: profileName === 'seal-rgs3' ? { organisation: person.organisation, siren: person.siren } : person,
          key: { store: 'token', type: keyType, token, keyLabel },
          registration: faceToFace,
          secret,
        });
        issued.set(keyLabel, result);
        expect(result.privateKey).toBeUndefined();
        expect(result.keyLocation).toMatch(/^pkcs11:token=passeport-test;object=/);
        expect(result.token).toMatchObject({ label: 'passeport-test', keyLabel });
        const profile = PROFILES[profileName];
        const verdict = verifyWithOpenssl(dir, result.certificate, result.chain, profile.policies[0]!);
        expect(verdict.stderr + verdict.stdout).toMatch(/: OK\n/);
        const text = certText(result.certificate);
        expect(text).toMatch(/Key Usage: critical\s+Non Repudiation\n/);
        expect(text).toContain(`Policy: ${profile.policies[0]}`);
        expect(text).toContain(`URI:http://127.0.0.1:8080/pki/crl/${profile.issuer}.crl`);
        expect(text).toContain(
          profileName === 'seal-rgs3'
            ? 'Subject: C=FR, O=Boulangerie Dupont, OU=0002 732829320, CN=Boulangerie Dupont'
            : 'Subject: C=FR, O=Boulangerie Dupont, OU=0002 732829320, CN=Élodie Dupont-Marchal',
        );

        // the token signs; node:crypto verifies with the certificate's public key
        const signer = openTokenSigner({ ...token, keyLabel });
        try {
          expect(Buffer.from(signer.certificate).equals(Buffer.from(result.certificate))).toBe(true);
          expect(signer.chain.map((c) => Buffer.from(c).toString('hex'))).toEqual(result.chain.map((c) => Buffer.from(c).toString('hex')));
          expect(signer.keyId).toBe(result.token!.keyId);
          const data = crypto.randomBytes(100);
          for (const hash of ['SHA-256', 'SHA-384'] as const) {
            const signature = await signer.sign(data, hash);
            const key = new crypto.X509Certificate(result.certificate).publicKey;
            const nodeHash = hash === 'SHA-256' ? 'sha256' : 'sha384';
            expect(crypto.verify(nodeHash, data, { key, dsaEncoding: 'der' }, signature)).toBe(true);
            expect(crypto.verify(nodeHash, Buffer.concat([data, Buffer.from([0])]), { key, dsaEncoding: 'der' }, signature)).toBe(false);
          }
        } finally {
          signer.close();
        }
      });
    }
  }
});

describe('the token key cannot leave the token', () => {
  it('refuses CKA_VALUE, CKA_PRIVATE_EXPONENT and C_WrapKey; CKA_EXTRACTABLE false, CKA_SENSITIVE true', () => {
    const session = TokenSession.open(token);
    try {
      const [rsaKey] = session.find([
        { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
        { type: P.CKA_LABEL, value: 'person-rgs2-rsa2048' },
      ]);
      const [ecKey] = session.find([
        { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
        { type: P.CKA_LABEL, value: 'person-rgs2-ec256' },
      ]);
      expect(rsaKey).toBeDefined();
      expect(ecKey).toBeDefined();
      for (const key of [rsaKey!, ecKey!]) {
        expect(session.attribute(key, P.CKA_EXTRACTABLE)[0]).toBe(0);
        expect(session.attribute(key, P.CKA_SENSITIVE)[0]).toBe(1);
        expect(session.attribute(key, P.CKA_NEVER_EXTRACTABLE)[0]).toBe(1);
        expect(session.attribute(key, P.CKA_PRIVATE)[0]).toBe(1);
        expect(session.attribute(key, P.CKA_TOKEN)[0]).toBe(1);
      }
      // an EC private key's value is sensitive; an RSA private key has no CKA_VALUE at all
      expect(() => session.attribute(ecKey!, P.CKA_VALUE)).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      expect(() => session.attribute(rsaKey!, P.CKA_VALUE)).toThrow(/CKR_ATTRIBUTE_SENSITIVE|CKR_ATTRIBUTE_TYPE_INVALID/);
      expect(() => session.attribute(rsaKey!, P.CKA_PRIVATE_EXPONENT)).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      expect(() => session.attribute(rsaKey!, P.CKA_PRIME_1)).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      // an AES key allowed to wrap: the token still refuses to wrap ours
      const wrapping = session.pkcs11.C_GenerateKey(session.session, { mechanism: P.CKM_AES_KEY_GEN }, [
        { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
        { type: P.CKA_TOKEN, value: false },
        { type: P.CKA_VALUE_LEN, value: 32 },
        { type: P.CKA_WRAP, value: true },
        { type: P.CKA_EXTRACTABLE, value: true },
      ]);
      expect(() => session.pkcs11.C_WrapKey(session.session, { mechanism: P.CKM_AES_KEY_WRAP_PAD }, wrapping, rsaKey!, Buffer.alloc(4096))).toThrow(
        /CKR_KEY_UNEXTRACTABLE|CKR_KEY_NOT_WRAPPABLE/,
      );
      expect(() => session.pkcs11.C_WrapKey(session.session, { mechanism: P.CKM_AES_KEY_WRAP_PAD }, wrapping, ecKey!, Buffer.alloc(4096))).toThrow(
        /CKR_KEY_UNEXTRACTABLE|CKR_KEY_NOT_WRAPPABLE/,
      );
      // the certificate sits next to the key, same CKA_ID
      const id = session.attribute(rsaKey!, P.CKA_ID);
      const certs = session.find([
        { type: P.CKA_CLASS, value: P.CKO_CERTIFICATE },
        { type: P.CKA_ID, value: id },
      ]);
      expect(certs).toHaveLength(1);
      expect(session.attribute(certs[0]!, P.CKA_VALUE).equals(Buffer.from(issued.get('person-rgs2-rsa2048')!.certificate))).toBe(true);
    } finally {
      session.close();
    }
  });
});

describe('token errors are precise and never show the PIN', () => {
  it('wrong PIN', async () => {
    const error = await refusal(() => openTokenSigner({ ...token, pin: '999999', keyLabel: 'person-rgs2-ec256' }), 'WRONG_PIN');
    expect(error.message).toMatch(/Code PIN incorrect pour le jeton « passeport-test »/);
    expect(error.message).not.toContain('999999');
    await refusal(
      () =>
        issueCertificate(pkiStore(db.sql), {
          profile: 'person-rgs2',
          subject: person,
          key: { store: 'token', type: 'ec256', token: { ...token, pin: '999999' } },
          registration: faceToFace,
          secret,
        }),
      'WRONG_PIN',
    );
  });

  it('missing token, missing module, key not found, key label taken, no certificate', async () => {
    expect((await refusal(() => openTokenSigner({ ...token, tokenLabel: 'absent' }), 'TOKEN_NOT_FOUND')).message).toMatch(/« absent » introuvable/);
    expect((await refusal(() => openTokenSigner({ ...token, modulePath: path.join(dir, 'nope.so') }), 'PKCS11_MODULE_MISSING')).message).toMatch(/nope\.so/);
    expect((await refusal(() => openTokenSigner({ ...token, keyLabel: 'inconnue' }), 'KEY_NOT_FOUND')).message).toMatch(/« inconnue » introuvable/);
    await refusal(() => openTokenSigner(token), 'KEY_AMBIGUOUS');
    await refusal(() => openTokenSigner({ ...token, tokenLabel: 'vide' }), 'KEY_NOT_FOUND');
    await refusal(
      () =>
        issueCertificate(pkiStore(db.sql), {
          profile: 'person-rgs2',
          subject: person,
          key: { store: 'token', type: 'ec256', token, keyLabel: 'person-rgs2-ec256' },
          registration: faceToFace,
          secret,
        }),
      'KEY_LABEL_TAKEN',
    );
    await refusal(
      () =>
        issueCertificate(pkiStore(db.sql), {
          profile: 'person-rgs2',
          subject: person,
          key: { store: 'token', type: 'ec256', token: { ...token, tokenLabel: '' } },
          registration: faceToFace,
          secret,
        }),
      'TOKEN_LABEL_MISSING',
    );
  });
});

describe('CA keys kept on a PKCS#11 token', () => {
  it('initPki generates every CA key on the token; certificates issued with them pass openssl', async () => {
    caDb = await createTestDatabase();
    const init = await initPki(pkiStore(caDb.sql), { ...secret, caKeyType: 'ec384', caToken: { tokenLabel: 'ac-jeton', pin: CA_PIN } });
    expect(init.created).toHaveLength(6);
    const rows = await caDb.sql<{ name: string; key_location: string; key_ciphertext: Uint8Array | null }[]>`select name, key_location, key_ciphertext from pki_ca`;
    for (const row of rows) {
      expect(row.key_ciphertext).toBeNull();
      expect(row.key_location).toBe(`pkcs11:token=ac-jeton;object=passeport-ca-${row.name};id=${row.key_location.split(';id=')[1]}`);
    }
    await refusal(
      () =>
        issueCertificate(pkiStore(caDb!.sql), {
          profile: 'person-rgs1',
          subject: person,
          key: { store: 'software', type: 'ec256' },
          registration: { identityCheck: 'remote', operator: 'x' },
          secret,
        }),
      'CA_PIN_MISSING',
    );
    await refusal(() => loadCa(pkiStore(caDb!.sql), 'rgs1', { ...secret, caTokenPin: '000000' }), 'WRONG_PIN');
    const access = { ...secret, caTokenPin: CA_PIN };
    const soft = await issueCertificate(pkiStore(caDb.sql), {
      profile: 'person-rgs1',
      subject: person,
      key: { store: 'software', type: 'rsa2048' },
      registration: { identityCheck: 'remote', operator: 'x' },
      secret: access,
    });
    expect(verifyWithOpenssl(dir, soft.certificate, soft.chain, PROFILES['person-rgs1'].policies[0]!).stdout).toMatch(/: OK\n/);
    expect(certText(soft.certificate)).toMatch(/Signature Algorithm: ecdsa-with-SHA384/);
    const onToken = await issueCertificate(pkiStore(caDb.sql), {
      profile: 'seal-rgs3',
      subject: { organisation: 'Banque Exemple', siren: '356000000' },
      key: { store: 'token', type: 'ec256', token, keyLabel: 'cachet-banque' },
      registration: faceToFace,
      secret: access,
    });
    expect(verifyWithOpenssl(dir, onToken.certificate, onToken.chain, PROFILES['seal-rgs3'].policies[0]!).stdout).toMatch(/: OK\n/);
    const ca = await loadCa(pkiStore(caDb.sql), 'seal', access);
    const data = crypto.randomBytes(30);
    expect(crypto.verify('sha384', data, { key: new crypto.X509Certificate(ca.certificate).publicKey, dsaEncoding: 'der' }, await ca.signer.sign(data, 'SHA-384'))).toBe(true);
    const session = TokenSession.open({ ...token, tokenLabel: 'ac-jeton', pin: CA_PIN });
    try {
      const [rootKey] = session.find([
        { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
        { type: P.CKA_LABEL, value: 'passeport-ca-root' },
      ]);
      expect(session.attribute(rootKey!, P.CKA_EXTRACTABLE)[0]).toBe(0);
      expect(() => session.attribute(rootKey!, P.CKA_VALUE)).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    } finally {
      session.close();
    }
  });
});
