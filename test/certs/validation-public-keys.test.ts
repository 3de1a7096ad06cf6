import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clearMemos, importSpki } from '../../asn1/index.ts';

const spkiOf = (key: crypto.KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
const data = Buffer.from('contrat de crédit-bail');

describe('importSpki: the same key whatever the import path', () => {
  const pairs: [string, crypto.KeyPairKeyObjectResult, string][] = [
    ['RSA-2048', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256'],
    ['RSA-3072, exponent 3', crypto.generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 }), 'sha256'],
    ['EC P-256', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256'],
    ['EC P-384 (DER path)', crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha384'],
    ['Ed25519 (DER path)', crypto.generateKeyPairSync('ed25519'), ''],
  ];
  for (const [label, pair, hash] of pairs) {
    it(`${label}: exports the same SPKI and verifies the key's signatures`, () => {
      clearMemos();
      const key = importSpki(spkiOf(pair.publicKey));
      expect(spkiOf(key).equals(spkiOf(pair.publicKey))).toBe(true);
      const sig = crypto.sign(hash || null, data, pair.privateKey);
      expect(crypto.verify(hash || null, data, key, sig)).toBe(true);
      expect(crypto.verify(hash || null, Buffer.from('autre'), key, sig)).toBe(false);
    });
  }

  it('a compressed P-256 point goes through the DER path and still gives the key', () => {
    clearMemos();
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = spkiOf(pair.publicKey);
    const point = crypto.ECDH.convertKey(spki.subarray(26), 'prime256v1', undefined, undefined, 'compressed') as Buffer;
    const compressed = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), point]);
    const key = importSpki(compressed);
    expect(crypto.verify('sha256', data, key, crypto.sign('sha256', data, pair.privateKey))).toBe(true);
  });
});

describe('importSpki: malformed keys are refused as the DER decoder refuses them', () => {
  const rsa = spkiOf(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
  const p256 = spkiOf(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);

  it('trailing bytes after the SubjectPublicKeyInfo', () => {
    clearMemos();
    expect(() => importSpki(Buffer.concat([rsa, Buffer.from([0])]))).toThrow();
    expect(() => importSpki(Buffer.concat([p256, Buffer.from([0])]))).toThrow();
  });

  it('a P-256 point that is not on the curve', () => {
    clearMemos();
    const off = Buffer.from(p256);
    off[90] = off[90]! ^ 0x01;
    expect(() => importSpki(off)).toThrow();
  });

  it('a negative RSA modulus (sign bit set, no leading zero)', () => {
    clearMemos();
    const bad = Buffer.from(rsa);
    // 30 82 01 22 | 30 0d … 05 00 | 03 82 01 0f 00 | 30 82 01 0a | 02 82 01 01 00 <n…>: drop n's leading zero in place.
    const at = bad.indexOf(Buffer.from('0282010100', 'hex'));
    expect(at).toBeGreaterThan(0);
    bad[at + 4] = 0xff;
    expect(() => {
      const key = importSpki(bad);
      // Whatever a decoder makes of it, it must not be the original key.
      if (spkiOf(key).equals(rsa)) throw new Error('same key');
      throw new Error('accepted');
    }).toThrow();
  });

  it('not DER at all', () => {
    clearMemos();
    expect(() => importSpki(Buffer.from('pas une clé'))).toThrow();
  });
});
