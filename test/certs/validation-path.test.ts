import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath, type PathValidationInput } from '../../certs/validation/index.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { crl, daysFrom, ecKeys, issue, opensslVerify, rsaKeys, x509, type Issued } from './validation/fixtures.ts';

const KU = x509.KeyUsageFlags;
let root: Issued;
let ca: Issued;
let leaf: Issued;
let rootCrl: Uint8Array;
let caCrl: Uint8Array;
let keys: CryptoKeyPair[];

const base = (over: Partial<PathValidationInput> = {}): PathValidationInput => ({
  certificate: leaf.der,
  intermediates: [ca.der],
  trustAnchors: [root.der],
  crls: [caCrl, rootCrl],
  time: new Date(),
  purpose: 'signature',
  ...over,
});

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 8 }, () => ecKeys()));
  root = await issue({ subject: 'CN=Racine Test, O=Passeport, C=FR', keys: keys[0]!, ca: true, notAfter: daysFrom(3650) });
  ca = await issue({ subject: 'CN=AC Signature, O=Passeport, C=FR', keys: keys[1]!, issuer: root, ca: true, pathLen: 0, policies: [POLICY_OIDS.rgs1, POLICY_OIDS.rgs3] });
  leaf = await issue({ subject: 'CN=Camille Martin, O=Atelier Martin, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs3] });
  rootCrl = await crl(root);
  caCrl = await crl(ca);
});

describe('validatePath: valid chains', () => {
  it('passes an EC P-256 chain with CRLs, and openssl agrees', async () => {
    const result = await validatePath(base());
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect(result.subIndication).toBeUndefined();
    expect(result.path.map((d) => Buffer.from(d).toString('hex'))).toEqual([leaf, ca, root].map((c) => Buffer.from(c.der).toString('hex')));
    expect(result.revocation.status).toBe('good');
    expect(result.revocation.source).toBe('crl');
    expect(result.usedCrls).toHaveLength(2);
    expect(result.policies).toEqual([POLICY_OIDS.rgs3]);
    expect(result.rgsLevel).toBe(3);
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], crls: [caCrl, rootCrl], crlCheckAll: true }).ok).toBe(true);
  });

  it('passes an RSA chain (PKCS#1 v1.5 root, RSA-PSS intermediate), and openssl agrees', async () => {
    const [rootKeys, caKeys] = await Promise.all([rsaKeys(), rsaKeys('RSA-PSS')]);
    const rsaRoot = await issue({ subject: 'CN=Racine RSA, C=FR', keys: rootKeys, ca: true });
    const rsaCa = await issue({ subject: 'CN=AC RSA-PSS, C=FR', keys: caKeys, issuer: rsaRoot, ca: true });
    const rsaLeaf = await issue({ subject: 'CN=Signataire RSA, C=FR', keys: keys[3]!, issuer: rsaCa });
    const crls = [await crl(rsaCa), await crl(rsaRoot)];
    const result = await validatePath({ certificate: rsaLeaf.der, intermediates: [rsaCa.der], trustAnchors: [rsaRoot.der], crls, time: new Date(), purpose: 'signature' });
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect(result.path).toHaveLength(3);
    expect(opensslVerify({ leaf: rsaLeaf, anchors: [rsaRoot], untrusted: [rsaCa], crls, crlCheckAll: true }).ok).toBe(true);
  });

  it('chooses the valid path among several candidates (an expired copy of the CA with the same key)', async () => {
    const oldCa = await issue({ subject: ca.name, keys: keys[1]!, issuer: root, ca: true, notBefore: daysFrom(-800), notAfter: daysFrom(-400) });
    const result = await validatePath(base({ intermediates: [oldCa.der, ca.der] }));
    expect(result.indication).toBe('PASSED');
    expect(Buffer.from(result.path[1]!).equals(Buffer.from(ca.der))).toBe(true);
  });

  it('results are copies: damaging a returned path does not affect the next validation', async () => {
    const first = await validatePath(base());
    first.path[0]!.fill(0);
    first.path[1]![first.path[1]!.length - 3]! ^= 1;
    const second = await validatePath(base());
    expect(second.indication).toBe('PASSED');
    expect(Buffer.from(second.path[0]!).equals(Buffer.from(leaf.der))).toBe(true);
  });

  it('accepts a leaf that is itself a trust anchor', async () => {
    const result = await validatePath(base({ trustAnchors: [leaf.der], intermediates: [], crls: [] }));
    expect(result.indication).toBe('PASSED');
    expect(result.path).toHaveLength(1);
  });
});

describe('validatePath: classic failures, each with openssl as a second judge', () => {
  it('expired leaf → INDETERMINATE / OUT_OF_BOUNDS_NO_POE with the date', async () => {
    const expired = await issue({ subject: 'CN=Expire, C=FR', keys: keys[3]!, issuer: ca, notBefore: daysFrom(-400), notAfter: new Date('2026-01-15T10:00:00Z') });
    const result = await validatePath(base({ certificate: expired.der }));
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
    expect(result.reasons[0]).toContain('a expiré le 2026-01-15 10:00:00 UTC');
    const judge = opensslVerify({ leaf: expired, anchors: [root], untrusted: [ca] });
    expect(judge.ok).toBe(false);
    expect(judge.output).toContain('certificate has expired');
  });

  it('expired but proven not revoked by a CRL that keeps expired certificates → OUT_OF_BOUNDS_NOT_REVOKED', async () => {
    const expired = await issue({ subject: 'CN=Expire Garde, C=FR', keys: keys[3]!, issuer: ca, notBefore: daysFrom(-400), notAfter: daysFrom(-10) });
    const list = await crl(ca, { thisUpdate: daysFrom(-20), nextUpdate: daysFrom(10) });
    const result = await validatePath(base({ certificate: expired.der, crls: [list] }));
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NOT_REVOKED');
  });

  it('not yet valid → FAILED / NOT_YET_VALID', async () => {
    const future = await issue({ subject: 'CN=Futur, C=FR', keys: keys[3]!, issuer: ca, notBefore: daysFrom(5), notAfter: daysFrom(400) });
    const result = await validatePath(base({ certificate: future.der }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('NOT_YET_VALID');
    expect(result.reasons[0]).toMatch(/n'est valable qu'à partir du \d{4}-\d{2}-\d{2}/);
    expect(opensslVerify({ leaf: future, anchors: [root], untrusted: [ca] }).output).toContain('certificate is not yet valid');
  });

  it('wrong issuer: the name chains but another key signed → SIG_CRYPTO_FAILURE', async () => {
    const forged = await issue({ subject: 'CN=Usurpe, C=FR', keys: keys[3]!, issuer: ca, signWith: keys[4]!, noAki: true });
    const result = await validatePath(base({ certificate: forged.der }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('SIG_CRYPTO_FAILURE');
    expect(result.reasons[0]).toContain('ne se vérifie pas avec la clé de « CN=AC Signature, O=Passeport, C=FR »');
    const judge = opensslVerify({ leaf: forged, anchors: [root], untrusted: [ca] });
    expect(judge.ok).toBe(false);
    expect(judge.output).toContain('certificate signature failure');
  });

  it('wrong issuer with an authority key identifier that matches no CA → NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const forged = await issue({ subject: 'CN=Usurpe AKI, C=FR', keys: keys[3]!, issuer: ca, signWith: keys[4]! });
    const result = await validatePath(base({ certificate: forged.der }));
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect(result.reasons[0]).toContain('CN=AC Signature');
    expect(opensslVerify({ leaf: forged, anchors: [root], untrusted: [ca] }).output).toContain('unable to get local issuer certificate');
  });

  it('a flipped byte in the signature → SIG_CRYPTO_FAILURE', async () => {
    const bad = new Uint8Array(leaf.der);
    bad[bad.length - 3]! ^= 0x01;
    const result = await validatePath(base({ certificate: bad }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('SIG_CRYPTO_FAILURE');
    expect(opensslVerify({ leaf: bad, anchors: [root], untrusted: [ca] }).ok).toBe(false);
  });

  it('a CA without basicConstraints → CHAIN_CONSTRAINTS_FAILURE', async () => {
    const noBc = await issue({ subject: 'CN=AC sans BC, C=FR', keys: keys[5]!, issuer: root, noBasicConstraints: true, keyUsage: KU.keyCertSign | KU.cRLSign });
    const child = await issue({ subject: 'CN=Enfant, C=FR', keys: keys[3]!, issuer: noBc });
    const result = await validatePath(base({ certificate: child.der, intermediates: [noBc.der], crls: [await crl(noBc), rootCrl] }));
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons[0]).toContain("« CN=AC sans BC, C=FR » n'a pas d'extension basicConstraints");
    expect(opensslVerify({ leaf: child, anchors: [root], untrusted: [noBc] }).ok).toBe(false);
  });

  it('path length exceeded → CHAIN_CONSTRAINTS_FAILURE', async () => {
    const sub = await issue({ subject: 'CN=Sous-AC, C=FR', keys: keys[5]!, issuer: ca, ca: true });
    const child = await issue({ subject: 'CN=Trop Profond, C=FR', keys: keys[3]!, issuer: sub });
    const result = await validatePath(base({ certificate: child.der, intermediates: [ca.der, sub.der], crls: [await crl(sub), caCrl, rootCrl] }));
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons[0]).toContain('limite la longueur du chemin à 0');
    const judge = opensslVerify({ leaf: child, anchors: [root], untrusted: [ca, sub] });
    expect(judge.ok).toBe(false);
    expect(judge.output).toContain('path length constraint exceeded');
  });

  it('a leaf used as a CA → CHAIN_CONSTRAINTS_FAILURE', async () => {
    const child = await issue({ subject: 'CN=Emis par une feuille, C=FR', keys: keys[3]!, issuer: leaf });
    const result = await validatePath(base({ certificate: child.der, intermediates: [ca.der, leaf.der] }));
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons.join('\n')).toContain("« CN=Camille Martin, O=Atelier Martin, C=FR » n'est pas une autorité de certification (cA=false)");
    expect(opensslVerify({ leaf: child, anchors: [root], untrusted: [ca, leaf] }).output).toContain('invalid CA certificate');
  });

  it('an unknown critical extension → CHAIN_CONSTRAINTS_FAILURE', async () => {
    const odd = await issue({ subject: 'CN=Extension Inconnue, C=FR', keys: keys[3]!, issuer: ca, extra: [new x509.Extension('1.2.3.4.5', true, Uint8Array.of(0x05, 0x00))] });
    const result = await validatePath(base({ certificate: odd.der }));
    expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(result.reasons[0]).toContain('extension critique inconnue (1.2.3.4.5)');
    expect(opensslVerify({ leaf: odd, anchors: [root], untrusted: [ca] }).output).toContain('unhandled critical extension');
  });

  it('missing nonRepudiation for a signature → FAILED / KEY_USAGE_FAILURE (openssl has no such check and accepts)', async () => {
    const auth = await issue({ subject: 'CN=Authentification, C=FR', keys: keys[3]!, issuer: ca, keyUsage: KU.digitalSignature });
    const result = await validatePath(base({ certificate: auth.der }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('KEY_USAGE_FAILURE');
    expect(result.reasons[0]).toContain('nonRepudiation');
    expect((await validatePath(base({ certificate: auth.der, purpose: 'any' }))).indication).toBe('PASSED');
    expect(opensslVerify({ leaf: auth, anchors: [root], untrusted: [ca] }).ok).toBe(true);
  });
});

describe('validatePath: RGS policies', () => {
  it('meets the required level through the policy map, and openssl -policy agrees', async () => {
    const result = await validatePath(base({ requiredRgsLevel: 3 }));
    expect(result.indication).toBe('PASSED');
    expect(result.rgsLevel).toBe(3);
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], policy: POLICY_OIDS.rgs3 }).ok).toBe(true);
  });

  it('a level too low → FAILED / RGS_LEVEL_TOO_LOW', async () => {
    const low = await issue({ subject: 'CN=Niveau Un, C=FR', keys: keys[3]!, issuer: ca, policies: [POLICY_OIDS.rgs1] });
    const result = await validatePath(base({ certificate: low.der, requiredRgsLevel: 2 }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('RGS_LEVEL_TOO_LOW');
    expect(result.rgsLevel).toBe(1);
    expect(result.reasons[0]).toContain('niveau **');
  });

  it('a policy not in the map → POLICY_PROCESSING_ERROR « politique non reconnue »', async () => {
    const foreign = await issue({ subject: 'CN=Politique Etrangere, C=FR', keys: keys[3]!, issuer: root, policies: ['1.2.250.1.999.1'] });
    const direct = { certificate: foreign.der, intermediates: [], crls: [rootCrl], requiredRgsLevel: 1 as const };
    const result = await validatePath(base(direct));
    expect(result.subIndication).toBe('POLICY_PROCESSING_ERROR');
    expect(result.reasons[0]).toContain('politique non reconnue');
    const mapped = await validatePath(base({ ...direct, policyMap: { '1.2.250.1.999.1': 2 } }));
    expect(mapped.indication).toBe('PASSED');
    expect(mapped.rgsLevel).toBe(2);
  });

  it('an intermediate whose policies exclude the leaf policy → POLICY_PROCESSING_ERROR, and openssl -explicit_policy rejects', async () => {
    const narrow = await issue({ subject: 'CN=AC Etroite, C=FR', keys: keys[5]!, issuer: root, ca: true, policies: [POLICY_OIDS.rgs1] });
    const child = await issue({ subject: 'CN=Hors Politique, C=FR', keys: keys[3]!, issuer: narrow, policies: [POLICY_OIDS.rgs3] });
    const result = await validatePath(base({ certificate: child.der, intermediates: [narrow.der], crls: [await crl(narrow), rootCrl], requiredRgsLevel: 3 }));
    expect(result.subIndication).toBe('POLICY_PROCESSING_ERROR');
    expect(opensslVerify({ leaf: child, anchors: [root], untrusted: [narrow], policy: POLICY_OIDS.rgs3 }).ok).toBe(false);
  });
});

describe('validatePath: revocation by CRL', () => {
  it('a serial listed before the validation time → FAILED / REVOKED with the date and reason', async () => {
    const revokedAt = new Date(Date.now() - 3 * 86_400_000);
    revokedAt.setUTCMilliseconds(0);
    const list = await crl(ca, { entries: [{ serial: leaf.cert.serialNumber, date: revokedAt, reason: x509.X509CrlReason.keyCompromise }] });
    const result = await validatePath(base({ crls: [list, rootCrl] }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation).toMatchObject({ status: 'revoked', source: 'crl', reason: 'keyCompromise' });
    expect(result.revocation.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
    expect(result.reasons[0]).toContain(`révoqué le ${revokedAt.toISOString().slice(0, 10)}`);
    expect(result.usedCrls[0]).toBe(list);
    const judge = opensslVerify({ leaf, anchors: [root], untrusted: [ca], crls: [list, rootCrl] });
    expect(judge.ok).toBe(false);
    expect(judge.output).toContain('certificate revoked');
  });

  it('a revocation after the validation time does not fail: « révoqué après », good at that time', async () => {
    const signingTime = new Date(Date.now() - 5 * 86_400_000);
    const revokedAt = new Date(Date.now() - 2 * 86_400_000);
    const list = await crl(ca, { entries: [{ serial: leaf.cert.serialNumber, date: revokedAt, reason: x509.X509CrlReason.superseded }] });
    const result = await validatePath(base({ crls: [list, rootCrl], time: signingTime }));
    expect(result.indication).toBe('PASSED');
    expect(result.revocation.status).toBe('good');
    expect(result.revocation.revokedAt?.getTime()).toBe(Math.floor(revokedAt.getTime() / 1000) * 1000);
    expect(result.revocation.checkedCerts[0]?.revokedAfterTime).toBe(true);
    expect(result.reasons.join('\n')).toContain('révoqué après la date de validation');
  });

  it('a revoked intermediate (root CRL) → REVOKED', async () => {
    const list = await crl(root, { entries: [{ serial: ca.cert.serialNumber, date: daysFrom(-2) }] });
    const result = await validatePath(base({ crls: [caCrl, list] }));
    expect(result.subIndication).toBe('REVOKED');
    expect(result.reasons[0]).toContain('CN=AC Signature');
  });

  it('no revocation data for the end entity → INDETERMINATE / TRY_LATER; accepted when not required', async () => {
    const result = await validatePath(base({ crls: [] }));
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('TRY_LATER');
    expect(result.revocation.status).toBe('unknown');
    const optional = await validatePath(base({ crls: [], revocationRequired: false }));
    expect(optional.indication).toBe('PASSED');
    expect(optional.revocation.status).toBe('unknown');
  });

  it('a stale CRL, or one signed by another key, is not used → TRY_LATER with the reason', async () => {
    const stale = await crl(ca, { thisUpdate: daysFrom(-20), nextUpdate: daysFrom(-10) });
    const forged = await crl(ca, { signWith: keys[6]! });
    const result = await validatePath(base({ crls: [stale, forged, rootCrl] }));
    expect(result.subIndication).toBe('TRY_LATER');
    const reasons = result.reasons.join('\n');
    expect(reasons).toContain('périmée');
    expect(reasons).toContain('sa signature ne se vérifie pas');
  });

  it('a CRL issued after the certificate expired proves nothing → REVOCATION_OUT_OF_BOUNDS_NO_POE', async () => {
    const notAfter = daysFrom(-5);
    const gone = await issue({ subject: 'CN=Expire Avant LCR, C=FR', keys: keys[3]!, issuer: ca, notBefore: daysFrom(-100), notAfter });
    const result = await validatePath(base({ certificate: gone.der, time: daysFrom(-10), crls: [caCrl, rootCrl] }));
    expect(result.subIndication).toBe('REVOCATION_OUT_OF_BOUNDS_NO_POE');
  });

  it('fetches the CRL from the distribution point when a fetcher is given', async () => {
    const online = await issue({ subject: 'CN=En Ligne, C=FR', keys: keys[3]!, issuer: ca, crlUrl: 'http://127.0.0.1:9/ac.crl' });
    const asked: string[] = [];
    const result = await validatePath(
      base({
        certificate: online.der,
        crls: [rootCrl],
        fetchRevocation: async (url, kind) => {
          asked.push(`${kind} ${url}`);
          return caCrl;
        },
      }),
    );
    expect(asked).toEqual(['crl http://127.0.0.1:9/ac.crl']);
    expect(result.indication).toBe('PASSED');
    expect(result.usedCrls).toContain(caCrl);
    const failing = await validatePath(base({ certificate: online.der, crls: [], fetchRevocation: async () => Promise.reject(new Error('connexion refusée')) }));
    expect(failing.subIndication).toBe('TRY_LATER');
    expect(failing.reasons.join('\n')).toContain('connexion refusée');
  });
});

describe('validatePath: time and scope', () => {
  it('validates at a past signature time: expired today, valid then, with the CRL of that time', async () => {
    const signedAt = daysFrom(-200);
    const oldRoot = await issue({ subject: 'CN=Racine Ancienne, C=FR', keys: keys[5]!, ca: true, notBefore: daysFrom(-900), notAfter: daysFrom(3000) });
    const oldCa = await issue({ subject: 'CN=AC Ancienne, C=FR', keys: keys[6]!, issuer: oldRoot, ca: true, notBefore: daysFrom(-800), notAfter: daysFrom(2000) });
    const old = await issue({ subject: 'CN=Ancien Signataire, C=FR', keys: keys[3]!, issuer: oldCa, notBefore: daysFrom(-400), notAfter: daysFrom(-30) });
    const thenCrl = await crl(oldCa, { thisUpdate: daysFrom(-201), nextUpdate: daysFrom(-194) });
    const rootThenCrl = await crl(oldRoot, { thisUpdate: daysFrom(-201), nextUpdate: daysFrom(-194) });
    const input = { certificate: old.der, intermediates: [oldCa.der], trustAnchors: [oldRoot.der], crls: [thenCrl, rootThenCrl] };
    const result = await validatePath(base({ ...input, time: signedAt }));
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect((await validatePath(base(input))).subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
    expect(opensslVerify({ leaf: old, anchors: [oldRoot], untrusted: [oldCa], time: signedAt }).ok).toBe(true);
  });

  it('an expired trust anchor → OUT_OF_BOUNDS_NO_POE, as openssl says', async () => {
    const oldRoot = await issue({ subject: 'CN=Racine Expiree, C=FR', keys: keys[5]!, ca: true, notBefore: daysFrom(-900), notAfter: daysFrom(-1) });
    const child = await issue({ subject: 'CN=Sous Racine Expiree, C=FR', keys: keys[3]!, issuer: oldRoot });
    const result = await validatePath(base({ certificate: child.der, intermediates: [], trustAnchors: [oldRoot.der], crls: [await crl(oldRoot)] }));
    expect(result.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
    expect(result.reasons[0]).toContain('« CN=Racine Expiree, C=FR » a expiré');
    expect(opensslVerify({ leaf: child, anchors: [oldRoot] }).output).toContain('certificate has expired');
  });

  it('CA revocation data is optional by default and required with revocationRequiredForCAs', async () => {
    expect((await validatePath(base({ crls: [caCrl] }))).indication).toBe('PASSED');
    const strict = await validatePath(base({ crls: [caCrl], revocationRequiredForCAs: true }));
    expect(strict.subIndication).toBe('TRY_LATER');
    expect(strict.reasons[0]).toContain('« CN=AC Signature, O=Passeport, C=FR »');
  });

  it('timestamping needs exactly one EKU, timeStamping, critical', async () => {
    const TS = '1.3.6.1.5.5.7.3.8';
    const two = await issue({ subject: 'CN=Horodateur Double, C=FR', keys: keys[3]!, issuer: ca, eku: [TS, '1.3.6.1.5.5.7.3.4'], ekuCritical: true });
    const good = await issue({ subject: 'CN=Horodateur, C=FR', keys: keys[3]!, issuer: ca, eku: [TS], ekuCritical: true });
    expect((await validatePath(base({ certificate: two.der, purpose: 'timestamping' }))).subIndication).toBe('KEY_USAGE_FAILURE');
    expect((await validatePath(base({ certificate: good.der, purpose: 'timestamping' }))).indication).toBe('PASSED');
  });
});

describe('validatePath: hostile input', () => {
  it('garbage certificate bytes → FAILED / FORMAT_FAILURE, never a crash', async () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), leaf.der.subarray(0, 100), new TextEncoder().encode('pas un certificat')]) {
      const result = await validatePath(base({ certificate: bytes }));
      expect(result.indication).toBe('FAILED');
      expect(result.subIndication).toBe('FORMAT_FAILURE');
      expect(result.reasons[0]).toMatch(/certificat illisible/);
    }
  });

  it('garbage CRL and OCSP bytes are reported and ignored', async () => {
    const result = await validatePath(
      base({ crls: [Uint8Array.of(1, 2, 3), caCrl.subarray(0, 40), rootCrl], ocspResponses: [Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03), Uint8Array.of(0xff)] }),
    );
    expect(result.subIndication).toBe('TRY_LATER');
    const reasons = result.reasons.join('\n');
    expect(reasons).toContain('LCR n° 1 ignorée : LCR illisible');
    expect(reasons).toContain('LCR n° 2 ignorée');
    expect(reasons).toContain('réponse OCSP n° 1 ignorée : réponse OCSP illisible : le répondeur a refusé de répondre (statut tryLater)');
    expect(reasons).toContain('réponse OCSP n° 2 ignorée');
  });

  it('garbage intermediates and anchors are skipped with a reason', async () => {
    const result = await validatePath(base({ intermediates: [Uint8Array.of(0x30, 0x00), ca.der], trustAnchors: [Uint8Array.of(5), root.der] }));
    expect(result.indication).toBe('PASSED');
    expect(result.reasons.join('\n')).toContain('certificat intermédiaire n° 1 ignoré');
  });

  it('a cycle of cross-certificates terminates with NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const a = await issue({ subject: 'CN=AC Boucle A, C=FR', keys: keys[5]!, ca: true, noAki: true });
    const b = await issue({ subject: 'CN=AC Boucle B, C=FR', keys: keys[6]!, issuer: a, ca: true, noAki: true });
    const aByB = await issue({ subject: 'CN=AC Boucle A, C=FR', keys: keys[5]!, issuer: b, ca: true, noAki: true });
    const child = await issue({ subject: 'CN=Dans La Boucle, C=FR', keys: keys[3]!, issuer: b, noAki: true });
    const started = Date.now();
    const result = await validatePath(base({ certificate: child.der, intermediates: [a.der, b.der, aByB.der] }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('twelve same-name CAs (12! orders) that never reach an anchor: the search is bounded', async () => {
    const familyKeys = await Promise.all(Array.from({ length: 12 }, () => ecKeys()));
    const family: Issued[] = [];
    for (const k of familyKeys) family.push(await issue({ subject: 'CN=AC Homonyme, C=FR', keys: k, ca: true, noAki: true }));
    const orphan = await issue({ subject: 'CN=Orphelin, C=FR', keys: keys[3]!, issuer: family[0]!, noAki: true });
    const started = Date.now();
    const result = await validatePath(base({ certificate: orphan.der, intermediates: family.map((c) => c.der) }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('an invalid validation time → FORMAT_FAILURE', async () => {
    const result = await validatePath(base({ time: new Date('nonsense') }));
    expect(result.subIndication).toBe('FORMAT_FAILURE');
  });
});
