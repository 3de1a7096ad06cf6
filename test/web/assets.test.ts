/** The pages' static files: hashed names cached for a year, compressed once, every page's JavaScript within budget. */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEngine, startApi, type ApiHarness } from '../api/support.ts';
import { loadAssets, type Assets } from '../../web/assets.ts';

const BUDGET = 200 * 1024;
let api: ApiHarness;
let assets: Assets;

beforeAll(async () => {
  api = await startApi((sql) => createInProcessEngine(sql));
  assets = await loadAssets();
});
afterAll(async () => api?.close());

describe('assets', () => {
  it('keeps every page under 200 KB of JavaScript, the signing page with its on-demand PKCS#12 reader included', () => {
    expect(assets.javascriptBytes(['page.js'])).toBeLessThan(BUDGET);
    expect(assets.javascriptBytes(['page.js', 'dossier-form.js'])).toBeLessThan(BUDGET);
    const signing = assets.javascriptBytes(['page.js', 'p12-signer.js']) + assets.onDemandBytes(['p12-signer.js']);
    expect(assets.onDemandBytes(['p12-signer.js'])).toBeGreaterThan(20 * 1024);
    expect(signing).toBeLessThan(BUDGET);
    // The reader is not part of the signing page's first load.
    expect(assets.javascriptBytes(['p12-signer.js'])).toBeLessThan(10 * 1024);
  });

  it('serves them compressed when the browser accepts it, immutable for a year, and 404 otherwise', async () => {
    const url = assets.url('dossier-form.js');
    const br = await api.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const plain = await api.app.inject({ method: 'GET', url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotliDecompressSync(br.rawPayload)).toEqual(plain.rawPayload);
    const gz = await api.app.inject({ method: 'GET', url: assets.url('site.css'), headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(gz.rawPayload).toString()).toContain('--brand');
    expect((await api.app.inject({ method: 'GET', url: '/assets/inconnu-0000.js' })).statusCode).toBe(404);
  });

  it('sends pages with a strict Content-Security-Policy, never cached', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/connexion' });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
    expect(res.body).not.toMatch(/ style="/);
  });

  it('answers a browser’s unknown address with a French page, an API client with problem+json', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/nulle-part', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page introuvable');
    const apiCall = await api.app.inject({ method: 'GET', url: '/v1/nulle-part', headers: { accept: 'text/html' } });
    expect(apiCall.headers['content-type']).toMatch(/problem\+json/);
  });
});
