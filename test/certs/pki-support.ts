import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { derToPem } from '../../asn1/index.ts';

/** Shared by the PKI producer tests: temp dirs, openssl as outside judge. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export interface OpensslResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function openssl(args: string[], input?: string | Buffer): OpensslResult {
  const run = spawnSync('openssl', args, { input, encoding: 'utf8', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

export function writePem(dir: string, name: string, certs: Uint8Array[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, certs.map((c) => derToPem(c)).join(''));
  return file;
}

/** `openssl verify` with the strict checks and the explicit policy, as the issue asks. */
export function verifyWithOpenssl(dir: string, leaf: Uint8Array, chain: Uint8Array[], policy: string): OpensslResult {
  const root = chain[chain.length - 1]!;
  const untrusted = chain.slice(0, -1);
  const rootFile = writePem(dir, 'root.pem', [root]);
  const leafFile = writePem(dir, `leaf-${Math.random().toString(36).slice(2)}.pem`, [leaf]);
  const args = ['verify', '-CAfile', rootFile, '-x509_strict', '-explicit_policy', '-policy', policy, '-policy_check'];
  if (untrusted.length > 0) args.push('-untrusted', writePem(dir, 'chain.pem', untrusted));
  args.push(leafFile);
  return openssl(args);
}

export function certText(der: Uint8Array): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], { input: Buffer.from(der), encoding: 'utf8' });
}
