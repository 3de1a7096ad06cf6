/**
 * The pages' static files: the style sheet and the browser modules of
 * web/client/, bundled by esbuild once per process (in memory, about a tenth of
 * a second) and served under names that carry their content hash, so that a
 * browser keeps them for a year and fetches a new name after each change.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface Asset {
  /** '/assets/<name>-<hash>.<ext>' */
  url: string;
  contentType: string;
  body: Buffer;
  /** The same bytes compressed once at start, for browsers that accept them. */
  brotli: Buffer;
  gzip: Buffer;
}

export interface Assets {
  byUrl: Map<string, Asset>;
  /** The URL of an entry point ('site.css', 'dossier-form.js', 'p12-signer.js'). */
  url(entry: string): string;
  /** Bytes of JavaScript a page loads at once for these entries (their static imports included). */
  javascriptBytes(entries: string[]): number;
  /** Bytes these entries load later, on demand (dynamic imports: the PKCS#12 reader). */
  onDemandBytes(entries: string[]): number;
}

const CLIENT_DIR = path.join(import.meta.dirname, 'client');
const STATIC_DIR = path.join(import.meta.dirname, 'static');
/** Each is a page's module; what they import dynamically (the PKCS#12 reader) becomes its own file. */
const ENTRIES = ['dossier-form', 'p12-signer', 'contract-signer', 'audit-progress', 'page'];

let building: Promise<Assets> | null = null;

/** The bundle, built on first call and shared by every server of the process. */
export function loadAssets(): Promise<Assets> {
  building ??= buildAssets().catch((error: unknown) => {
    building = null;
    throw error;
  });
  return building;
}

async function buildAssets(): Promise<Assets> {
  const result = await build({
    entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, path.join(CLIENT_DIR, `${name}.ts`)])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    metafile: true,
    outdir: '/assets',
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const byUrl = new Map<string, Asset>();
  const entryUrls = new Map<string, string>();
  for (const file of result.outputFiles) {
    const url = file.path;
    byUrl.set(url, asset(url, 'text/javascript; charset=utf-8', Buffer.from(file.contents)));
  }
  const staticImports = new Map<string, string[]>();
  const dynamicImports = new Map<string, string[]>();
  const urlOfOutput = (output: string) => `/${output.replace(/^.*?assets\//, 'assets/')}`;
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    const url = urlOfOutput(output);
    if (meta.entryPoint) entryUrls.set(`${path.basename(meta.entryPoint, '.ts')}.js`, url);
    staticImports.set(
      url,
      meta.imports.filter((i) => i.kind === 'import-statement').map((i) => urlOfOutput(i.path)),
    );
    dynamicImports.set(
      url,
      meta.imports.filter((i) => i.kind === 'dynamic-import').map((i) => urlOfOutput(i.path)),
    );
  }
  for (const file of fs.readdirSync(STATIC_DIR)) {
    const body = fs.readFileSync(path.join(STATIC_DIR, file));
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 10);
    const ext = path.extname(file);
    const url = `/assets/${path.basename(file, ext)}-${hash}${ext}`;
    byUrl.set(url, asset(url, CONTENT_TYPES[ext] ?? 'application/octet-stream', body));
    entryUrls.set(file, url);
  }
  const closure = (url: string, seen: Set<string>, withDynamic: boolean): void => {
    if (seen.has(url)) return;
    seen.add(url);
    for (const next of staticImports.get(url) ?? []) closure(next, seen, withDynamic);
    if (withDynamic) for (const next of dynamicImports.get(url) ?? []) closure(next, seen, withDynamic);
  };
  const bytesOf = (entries: string[], withDynamic: boolean): number => {
    const seen = new Set<string>();
    for (const entry of entries) closure(urlOf(entry), seen, withDynamic);
    return [...seen].reduce((sum, url) => sum + (byUrl.get(url)?.body.length ?? 0), 0);
  };
  const urlOf = (entry: string): string => {
    const url = entryUrls.get(entry);
    if (!url) throw new Error(`unknown asset ${entry}`);
    return url;
  };
  return {
    byUrl,
    url: urlOf,
    javascriptBytes: (entries) => bytesOf(entries, false),
    onDemandBytes: (entries) => bytesOf(entries, true) - bytesOf(entries, false),
  };
}

function asset(url: string, contentType: string, body: Buffer): Asset {
  return { url, contentType, body, brotli: brotliCompressSync(body), gzip: gzipSync(body, { level: 9 }) };
}

/** The smallest encoding the browser accepts: br, then gzip, else none. */
export function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
