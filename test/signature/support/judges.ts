import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const run = promisify(execFile);

/** Outside judges: poppler's pdfsig, openssl cms/ts, qpdf. Extraction is independent of signature/. */

export interface ExtractedSignature {
  byteRange: [number, number, number, number];
  /** DER without the zero padding. */
  cms: Buffer;
  /** The bytes the ByteRange covers. */
  signedBytes: Buffer;
  isDocTimestamp: boolean;
}

export function extractSignatures(pdf: Buffer): ExtractedSignature[] {
  const text = pdf.toString('latin1');
  const out: ExtractedSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const br = [1, 2, 3, 4].map((i) => Number(m[i])) as [number, number, number, number];
    const gap = text.slice(br[1], br[2]);
    if (!/^<[0-9a-fA-F]+>$/.test(gap)) throw new Error(`ByteRange gap is not the /Contents hex string at ${br[1]}`);
    const raw = Buffer.from(gap.slice(1, -1), 'hex');
    const asn = asn1js.fromBER(new Uint8Array(raw));
    if (asn.offset <= 0) throw new Error('CMS unreadable');
    const cms = raw.subarray(0, asn.offset);
    // The dictionary around the gap says which kind it is.
    const dictStart = text.lastIndexOf('obj', br[1]);
    const isDocTimestamp = /\/DocTimeStamp/.test(text.slice(dictStart, br[2] + 200).split('endobj')[0] ?? '');
    out.push({ byteRange: br, cms, signedBytes: Buffer.concat([pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])]), isDocTimestamp });
  }
  return out;
}

export interface PdfsigSignature {
  valid: boolean;
  trusted: boolean;
  totalDocument: boolean;
  subFilter: string;
  raw: string;
}

export function nssDb(dir: string, rootPem: string): string {
  const db = fs.mkdtempSync(path.join(dir, 'nss-'));
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  const root = path.join(db, 'root.pem');
  fs.writeFileSync(root, rootPem);
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'root', '-t', 'CT,C,C', '-i', root]);
  return db;
}

export async function pdfsig(file: string, nssdir: string): Promise<PdfsigSignature[]> {
  const { stdout } = await run('pdfsig', ['-nssdir', `sql:${nssdir}`, file], { maxBuffer: 1 << 24 });
  return stdout
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((raw) => ({
      valid: /Signature Validation: Signature is Valid\./.test(raw),
      trusted: /Certificate Validation: Certificate is Trusted\./.test(raw),
      totalDocument: /Total document signed/.test(raw) && !/Not total document signed/.test(raw),
      subFilter: /Signature Type: (\S+)/.exec(raw)?.[1] ?? '',
      raw,
    }));
}

export async function qpdfCheck(file: string): Promise<string> {
  try {
    const { stdout } = await run('qpdf', ['--check', file]);
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`qpdf --check failed: ${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e });
  }
}

/** openssl cms -verify over the ByteRange bytes; resolves when openssl accepts. */
export async function opensslCmsVerify(dir: string, sig: ExtractedSignature, rootPem: string): Promise<void> {
  const d = fs.mkdtempSync(path.join(dir, 'cms-'));
  fs.writeFileSync(path.join(d, 'sig.der'), sig.cms);
  fs.writeFileSync(path.join(d, 'data.bin'), sig.signedBytes);
  fs.writeFileSync(path.join(d, 'root.pem'), rootPem);
  await run('openssl', [
    'cms',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    path.join(d, 'sig.der'),
    '-content',
    path.join(d, 'data.bin'),
    '-CAfile',
    path.join(d, 'root.pem'),
    '-purpose',
    'any',
    '-out',
    '/dev/null',
  ]);
}

export async function opensslCmsPrint(dir: string, cms: Buffer): Promise<string> {
  const f = path.join(fs.mkdtempSync(path.join(dir, 'print-')), 'sig.der');
  fs.writeFileSync(f, cms);
  return (await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', f], { maxBuffer: 1 << 24 })).stdout;
}

/** The signature value and the signature-time-stamp token of a CMS, read with pkijs. */
export function signerParts(cms: Buffer): { signatureValue: Buffer; timestampToken?: Buffer } {
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(cms)).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0]!;
  const attr = si.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14');
  const token = attr?.values[0];
  return {
    signatureValue: Buffer.from(si.signature.valueBlock.valueHexView),
    ...(token ? { timestampToken: Buffer.from(token.toBER()) } : {}),
  };
}

/** openssl ts -verify of a token over `data`; resolves when openssl accepts. */
export async function opensslTsVerify(dir: string, token: Buffer, data: Buffer, rootPem: string, untrustedPem: string): Promise<string> {
  const d = fs.mkdtempSync(path.join(dir, 'ts-'));
  fs.writeFileSync(path.join(d, 'token.der'), token);
  fs.writeFileSync(path.join(d, 'data.bin'), data);
  fs.writeFileSync(path.join(d, 'root.pem'), rootPem);
  fs.writeFileSync(path.join(d, 'untrusted.pem'), untrustedPem);
  const { stdout } = await run('openssl', [
    'ts',
    '-verify',
    '-token_in',
    '-in',
    path.join(d, 'token.der'),
    '-data',
    path.join(d, 'data.bin'),
    '-CAfile',
    path.join(d, 'root.pem'),
    '-untrusted',
    path.join(d, 'untrusted.pem'),
  ]);
  return stdout;
}

export const sha1Hex = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex').toUpperCase();

export function isPrefix(input: Buffer, output: Buffer): boolean {
  return output.length > input.length && output.subarray(0, input.length).equals(input);
}
