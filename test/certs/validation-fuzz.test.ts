import { beforeAll, describe, expect, it } from 'vitest';
import { Asn1Error, parseCertificate, pemOrDerToDerList } from '../../asn1/index.ts';
import { validatePath, type PathValidationInput } from '../../certs/validation/index.ts';
import { crl, ecKeys, issue, type Issued } from './validation/fixtures.ts';
import { buildOcspResponse } from './validation/ocsp-builder.ts';
import { mutants } from './validation/mutants.ts';

let root: Issued;
let ca: Issued;
let leaf: Issued;
let caCrl: Uint8Array;
let rootCrl: Uint8Array;
let ocsp: Uint8Array;

const base = (over: Partial<PathValidationInput>): PathValidationInput => ({
  certificate: leaf.der,
  intermediates: [ca.der],
  trustAnchors: [root.der],
  crls: [rootCrl],
  time: new Date(),
  purpose: 'signature',
  ...over,
});

beforeAll(async () => {
  const keys = await Promise.all([ecKeys(), ecKeys(), ecKeys()]);
  root = await issue({ subject: 'CN=Racine Fuzz, C=FR', keys: keys[0]!, ca: true });
  ca = await issue({ subject: 'CN=AC Fuzz, C=FR', keys: keys[1]!, issuer: root, ca: true });
  leaf = await issue({ subject: 'CN=Feuille Fuzz, C=FR', keys: keys[2]!, issuer: ca, crlUrl: 'http://127.0.0.1:9/x.crl' });
  caCrl = await crl(ca);
  rootCrl = await crl(root);
  ocsp = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: leaf, status: 'good' }] });
});

describe('damaged inputs never crash and never pass', () => {
  it('the unchanged inputs pass (the property below is not vacuous)', async () => {
    expect((await validatePath(base({ crls: [caCrl, rootCrl] }))).indication).toBe('PASSED');
    expect((await validatePath(base({ ocspResponses: [ocsp] }))).indication).toBe('PASSED');
  });

  it('200 damaged leaf certificates', async () => {
    for (const bytes of mutants(leaf.der, 200, 1)) {
      const result = await validatePath(base({ certificate: bytes, crls: [caCrl, rootCrl] }));
      expect(result.indication).not.toBe('PASSED');
      expect(result.reasons.length).toBeGreaterThan(0);
      expect(() => {
        try {
          parseCertificate(bytes);
        } catch (error) {
          if (!(error instanceof Asn1Error) || error.code !== 'MALFORMED') throw error;
        }
      }).not.toThrow();
    }
  });

  it('200 damaged CRLs, also served by a fetcher', async () => {
    let i = 0;
    for (const bytes of mutants(caCrl, 200, 2)) {
      const over = i++ % 2 ? { crls: [bytes, rootCrl] } : { fetchRevocation: async () => bytes };
      const result = await validatePath(base(over));
      expect(result.indication).not.toBe('PASSED');
      expect(result.subIndication).toBe('TRY_LATER');
    }
  });

  it('200 damaged OCSP responses', async () => {
    for (const bytes of mutants(ocsp, 200, 3)) {
      const result = await validatePath(base({ ocspResponses: [bytes] }));
      expect(result.indication).not.toBe('PASSED');
    }
  });

  it('damaged PEM text gives an Asn1Error (BAD_PEM or MALFORMED) or DER that is then refused', () => {
    const pem = new TextEncoder().encode(leaf.pem);
    for (const bytes of mutants(pem, 200, 4)) {
      try {
        for (const der of pemOrDerToDerList(bytes)) expect(der.length).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(Asn1Error);
        expect(['BAD_PEM', 'MALFORMED']).toContain((error as Asn1Error).code);
      }
    }
  });
});
