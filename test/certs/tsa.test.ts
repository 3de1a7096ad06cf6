import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { createTestDatabase } from '../support/db.ts';
import { createTimestampAuthority, type TimestampAuthority } from '../../certs/tsa/authority.ts';
import { createSerialAllocator } from '../../certs/tsa/serials.ts';
import { keyObjectSigner } from '../../certs/tsa/key-signer.ts';
import { POLICY_OIDS, ETSI_BASELINE_TSA_POLICY } from '../../certs/policies.ts';
import { makeRoot, issue, tempDir, TIME_STAMPING, type TestCert } from './tsa-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

let db: Db;
let root: TestCert;
let tsaCa: TestCert;
let tsaCert: TestCert;
let tsa: TimestampAuthority;
let dir: string;
let rootPem: string;
let chainPem: string;

function newAuthority(blockSize = 10): TimestampAuthority {
  return createTimestampAuthority({
    signer: keyObjectSigner(tsaCert.privateKey, tsaCert.der, [tsaCa.der]),
    serials: createSerialAllocator(pkiStore(db.sql), { blockSize }),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  root = await makeRoot();
  tsaCa = await issue(root, { name: 'CN=Test AC Horodatage,O=Passeport Test,C=FR', ca: true });
  tsaCert = await issue(tsaCa, {
    name: 'CN=Test TSA,O=Passeport Test,C=FR',
    rsa: true,
    eku: { usages: [TIME_STAMPING], critical: true },
  });
  tsa = newAuthority();
  dir = tempDir('passeport-tsa-');
  rootPem = path.join(dir, 'root.pem');
  chainPem = path.join(dir, 'chain.pem');
  fs.writeFileSync(rootPem, root.pem);
  fs.writeFileSync(chainPem, tsaCert.pem + tsaCa.pem);
});

afterAll(async () => {
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function openssl(args: string[]): { status: number | null; out: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Builds a query with openssl itself, so the request side is judged by an outside implementation. */
function opensslQuery(dataFile: string, hash: string, { nonce, cert }: { nonce: boolean; cert: boolean }): Buffer {
  const out = path.join(dir, `q-${crypto.randomUUID()}.tsq`);
  const args = ['ts', '-query', '-data', dataFile, `-${hash}`, '-out', out];
  if (!nonce) args.push('-no_nonce');
  if (cert) args.push('-cert');
  execFileSync('openssl', args);
  return fs.readFileSync(out);
}

function parseResponse(der: Buffer): pkijs.TimeStampResp {
  return pkijs.TimeStampResp.fromBER(new Uint8Array(der));
}

function tstInfoOf(response: pkijs.TimeStampResp): pkijs.TSTInfo {
  const signed = new pkijs.SignedData({ schema: response.timeStampToken!.content });
  const eContent = signed.encapContentInfo.eContent!;
  return pkijs.TSTInfo.fromBER(eContent.getValue());
}

function failInfoBits(response: pkijs.TimeStampResp): number[] {
  const failInfo = response.status.failInfo;
  if (!failInfo) return [];
  const view = failInfo.valueBlock.valueHexView;
  const bits: number[] = [];
  for (let i = 0; i < view.length * 8; i++) if (view[i >> 3]! & (0x80 >> (i & 7))) bits.push(i);
  return bits;
}

describe('RFC 3161 timestamp authority', () => {
  const dataFile = (): string => {
    const file = path.join(dir, 'data.bin');
    if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(4096));
    return file;
  };

  for (const hash of ['sha256', 'sha384', 'sha512']) {
    for (const nonce of [true, false]) {
      it(`issues tokens openssl ts -verify accepts (${hash}, ${nonce ? 'with' : 'without'} nonce)`, async () => {
        const query = opensslQuery(dataFile(), hash, { nonce, cert: nonce });
        const reply = await tsa.respond(query);
        const queryFile = path.join(dir, `${hash}-${nonce}.tsq`);
        const replyFile = path.join(dir, `${hash}-${nonce}.tsr`);
        fs.writeFileSync(queryFile, query);
        fs.writeFileSync(replyFile, reply);

        const byData = openssl(['ts', '-verify', '-data', dataFile(), '-in', replyFile, '-CAfile', rootPem, '-untrusted', chainPem]);
        expect(byData.out).toContain('Verification: OK');
        expect(byData.status).toBe(0);
        const digest = crypto.createHash(hash).update(fs.readFileSync(dataFile())).digest('hex');
        const byDigest = openssl(['ts', '-verify', '-digest', digest, '-in', replyFile, '-CAfile', rootPem, '-untrusted', chainPem]);
        expect(byDigest.out).toContain('Verification: OK');
        const byQuery = openssl(['ts', '-verify', '-queryfile', queryFile, '-in', replyFile, '-CAfile', rootPem, '-untrusted', chainPem]);
        expect(byQuery.out).toContain('Verification: OK');
        // A different digest must be refused: the judge is not a rubber stamp.
        const wrong = openssl(['ts', '-verify', '-digest', digest.replace(/^./, (c) => (c === '0' ? '1' : '0')), '-in', replyFile, '-CAfile', rootPem, '-untrusted', chainPem]);
        expect(wrong.out).not.toContain('Verification: OK');

        const text = openssl(['ts', '-reply', '-in', replyFile, '-text']).out;
        expect(text).toContain('Status: Granted.');
        expect(text).toContain(`Policy OID: ${POLICY_OIDS.tsa}`);
        expect(text).toContain(`Hash Algorithm: ${hash}`);
        expect(text).toMatch(/Accuracy: (0x)?0*1 seconds/);
        expect(text).toContain('Ordering: no');
        expect(text).toMatch(nonce ? /Nonce: 0x[0-9A-F]+/ : /Nonce: unspecified/);
      });
    }
  }

  it('puts ESSCertIDv2 (no hash algorithm for SHA-256) and certificates only when certReq is set', async () => {
    const withCerts = parseResponse(await tsa.respond(opensslQuery(dataFile(), 'sha256', { nonce: true, cert: true })));
    const without = parseResponse(await tsa.respond(opensslQuery(dataFile(), 'sha256', { nonce: true, cert: false })));
    expect(withCerts.status.status).toBe(0);
    const signedWith = new pkijs.SignedData({ schema: withCerts.timeStampToken!.content });
    const signedWithout = new pkijs.SignedData({ schema: without.timeStampToken!.content });
    expect(signedWith.certificates?.length).toBe(2);
    expect(signedWithout.certificates ?? []).toHaveLength(0);

    const attrs = signedWith.signerInfos[0]!.signedAttrs!.attributes;
    const types = attrs.map((a) => a.type).sort();
    expect(types).toEqual(['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4']);
    const signingCert = attrs.find((a) => a.type === '1.2.840.113549.1.9.16.2.47')!;
    const essCertId = (signingCert.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = (essCertId.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0]!;
    expect(first).toBeInstanceOf(asn1js.OctetString);
    const certHash = Buffer.from((first as asn1js.OctetString).valueBlock.valueHexView);
    expect(certHash.equals(crypto.createHash('sha256').update(tsaCert.der).digest())).toBe(true);
    expect(attrs.some((a) => a.type === '1.2.840.113549.1.9.5')).toBe(false);

    const info = tstInfoOf(withCerts);
    expect(info.accuracy?.seconds).toBe(1);
    expect(info.tsa).toBeDefined();
  });

  it('echoes the ETSI baseline policy when asked and refuses an unknown policy', async () => {
    const base = opensslQuery(dataFile(), 'sha256', { nonce: true, cert: false });
    const withPolicy = (policy: string): Buffer => {
      const req = pkijs.TimeStampReq.fromBER(new Uint8Array(base));
      req.reqPolicy = policy;
      return Buffer.from(req.toSchema().toBER());
    };
    const etsi = parseResponse(await tsa.respond(withPolicy(ETSI_BASELINE_TSA_POLICY)));
    expect(etsi.status.status).toBe(0);
    expect(tstInfoOf(etsi).policy).toBe(ETSI_BASELINE_TSA_POLICY);
    const unknown = parseResponse(await tsa.respond(withPolicy('1.2.3.4.5')));
    expect(unknown.status.status).toBe(2);
    expect(failInfoBits(unknown)).toEqual([15]);
  });

  it('answers bad queries with a rejection and the precise failInfo, never an exception', async () => {
    const good = opensslQuery(dataFile(), 'sha256', { nonce: true, cert: false });
    const md5 = opensslQuery(dataFile(), 'md5', { nonce: false, cert: false });
    const sha1 = opensslQuery(dataFile(), 'sha1', { nonce: false, cert: false });
    const critical = (() => {
      const req = pkijs.TimeStampReq.fromBER(new Uint8Array(good));
      req.extensions = [new pkijs.Extension({ extnID: '1.2.3.4', critical: true, extnValue: new asn1js.Null().toBER() })];
      return Buffer.from(req.toSchema().toBER());
    })();
    const shortImprint = (() => {
      const req = pkijs.TimeStampReq.fromBER(new Uint8Array(good));
      req.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: new Uint8Array(20) });
      return Buffer.from(req.toSchema().toBER());
    })();
    const version2 = Buffer.from(good);
    version2[4] = 2; // SEQUENCE, len, INTEGER, 01, value
    const cases: Array<[string, Uint8Array, number]> = [
      ['empty', new Uint8Array(0), 5],
      ['garbage', crypto.randomBytes(64).fill(0x41, 0, 1), 5],
      ['truncated', good.subarray(0, good.length - 7), 5],
      ['trailing bytes', Buffer.concat([good, Buffer.from([0])]), 5],
      ['md5', md5, 0],
      ['sha1', sha1, 0],
      ['critical extension', critical, 16],
      ['imprint of the wrong length', shortImprint, 5],
      ['version 2', version2, 2],
    ];
    expect(good[2]).toBe(0x02);
    for (const [label, body, bit] of cases) {
      const response = parseResponse(await tsa.respond(body));
      expect(response.status.status, label).toBe(2);
      expect(failInfoBits(response), label).toEqual([bit]);
      expect(response.timeStampToken, label).toBeUndefined();
      expect(response.status.statusStrings?.[0]?.valueBlock.value, label).toMatch(/./);
    }
    // openssl reads the rejection too
    const file = path.join(dir, 'rejected.tsr');
    fs.writeFileSync(file, await tsa.respond(md5));
    const text = openssl(['ts', '-reply', '-in', file, '-text']).out;
    expect(text).toContain('Status: Rejected');
    expect(text).toContain('unrecognized or unsupported algorithm');
  });

  it('keeps serials strictly increasing across a restart on the same database', async () => {
    const query = opensslQuery(dataFile(), 'sha256', { nonce: true, cert: false });
    const serialOf = async (authority: TimestampAuthority): Promise<bigint> =>
      BigInt(`0x${Buffer.from(tstInfoOf(parseResponse(await authority.respond(query))).serialNumber.valueBlock.valueHexView).toString('hex')}`);
    const first = newAuthority(50);
    const before: bigint[] = [];
    for (let i = 0; i < 5; i++) before.push(await serialOf(first));
    // "restart": a new authority object, new allocator, same database
    const second = newAuthority(50);
    const after: bigint[] = [];
    for (let i = 0; i < 5; i++) after.push(await serialOf(second));
    const all = [...before, ...after];
    for (let i = 1; i < all.length; i++) expect(all[i]! > all[i - 1]!).toBe(true);
    const [row] = await db.sql<{ next_serial: bigint }[]>`select next_serial from tsa_serial_blocks where tsa_name = 'tsa'`;
    expect(BigInt(row!.next_serial) > all[all.length - 1]!).toBe(true);
  });

  it('two instances reserving small blocks at once never hand out the same serial', async () => {
    const a = createSerialAllocator(pkiStore(db.sql), { tsaName: 'twins', blockSize: 7 });
    const b = createSerialAllocator(pkiStore(db.sql), { tsaName: 'twins', blockSize: 7 });
    const serials = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).next()));
    expect(new Set(serials).size).toBe(400);
    const fromA = serials.filter((_, i) => i % 2);
    for (let i = 1; i < fromA.length; i++) expect(fromA[i]! > fromA[i - 1]!).toBe(true);
  });

  it('refuses a TSA certificate without the critical timeStamping EKU', async () => {
    const notCritical = await issue(tsaCa, { name: 'CN=Bad TSA', eku: { usages: [TIME_STAMPING], critical: false } });
    expect(() => createTimestampAuthority({ signer: keyObjectSigner(notCritical.privateKey, notCritical.der), serials: createSerialAllocator(pkiStore(db.sql)) })).toThrow(
      /timeStamping/,
    );
  });
});
