/**
 * The in-browser signing component in Debian's Chromium, against the engine's
 * deferred signing (signature/deferred.ts): the page serves the production
 * bundle and the signing form; the person picks a .p12 and types its
 * passphrase; the browser opens it locally (the reader loaded only then),
 * sends its certificate, WebCrypto signs the data the engine prepared, and the
 * engine completes a PAdES B-LT signature that the project's verifier passes
 * TOTAL_PASSED and the outside judges (pdfsig, openssl, qpdf) accept. The
 * .p12 and its passphrase never leave the browser.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPkcs12 } from '../../certs/pkcs12.ts';
import { createTsaClient } from '../../certs/tsa/client.ts';
import { complete, prepare, type PreparedSignature } from '../../signature/deferred.ts';
import { verifyPdf, type VerificationReport } from '../../signature/validation/index.ts';
import { loadAssets, type Assets } from '../../web/assets.ts';
import { pkcs12SigningForm } from '../../web/pages/p12-form.ts';
import { makeContract } from '../signature/support/contract.ts';
import { judge, startHarness, type Harness } from '../signature/support/harness.ts';
import type { TestCert } from '../signature/support/pki.ts';
import { launchChromium, type Chromium } from './chromium.ts';

const PASSPHRASE = 'Mon certificat 2026 !';
let h: Harness;
let assets: Assets;
let contract: Buffer;
let server: FastifyInstance;
let base: string;
let chrome: Chromium;
let prepared: PreparedSignature | null = null;
let signed: { pdf: Buffer; report: VerificationReport } | null = null;

/** The glue a ceremony page would have: certificate out, data to sign in, signature value out. Never the file. */
const GLUE = `
const b64 = (u8) => btoa(Array.from(u8, (c) => String.fromCharCode(c)).join(''));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const post = async (url, body) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
document.querySelector('form[data-p12-form]').addEventListener('pkcs12-opened', async (event) => {
  const signer = event.detail;
  const { dataToSign, hash } = await post('/prepare', { certificate: b64(signer.certificate), chain: signer.chain.map(b64) });
  const value = await signer.sign(unb64(dataToSign), signer.certificate, hash);
  const done = await post('/complete', { signature: b64(value) });
  document.getElementById('resultat').textContent = done.indication;
});`;

beforeAll(async () => {
  h = await startHarness();
  assets = await loadAssets();
  contract = await makeContract({ targetKb: 8 });
  server = Fastify();
  server.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.byUrl.get(`/assets/${request.params.file}`);
    return asset ? reply.type(asset.contentType).send(asset.body) : reply.code(404).send();
  });
  server.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Signature</title>
<script type="module" src="${assets.url('p12-signer.js')}"></script><script type="module">${GLUE}</script></head>
<body><main><h1>Signer le contrat</h1>${pkcs12SigningForm(assets).value}<p id="resultat"></p></main></body></html>`),
  );
  server.post<{ Body: { certificate: string; chain: string[] } }>('/prepare', async (request) => {
    const result = prepare(contract, {
      certificate: Buffer.from(request.body.certificate, 'base64'),
      chain: [...request.body.chain.map((c) => Buffer.from(c, 'base64')), h.pki.root.der],
      level: 'B-LT',
      reason: 'Signature du contrat par le preneur',
    });
    prepared = JSON.parse(JSON.stringify(result.state)) as PreparedSignature;
    return { dataToSign: Buffer.from(result.toBeSigned).toString('base64'), hash: result.state.hash };
  });
  server.post<{ Body: { signature: string } }>('/complete', async (request) => {
    const pdf = await complete(prepared!, Buffer.from(request.body.signature, 'base64'), {
      timestamper: createTsaClient(h.tsa.url),
      fetchers: { crl: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()) },
      material: { certificates: [h.pki.root.der] },
    });
    const report = await verifyPdf(pdf, { trustAnchors: [h.pki.root.der] });
    signed = { pdf, report };
    return { indication: report.indication };
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  chrome = await launchChromium();
});
afterAll(async () => {
  await chrome?.close();
  await server?.close();
  await h?.close();
});

describe('signing in the browser with a PKCS#12 file', () => {
  const holders: [string, () => TestCert, () => Promise<TestCert>][] = [];
  let ec: TestCert;
  let rsa: TestCert;
  beforeAll(async () => {
    ec = await h.pki.issue({ cn: 'Camille Rousseau', keyType: 'ec256' });
    rsa = await h.pki.issue({ cn: 'Léa Martin', keyType: 'rsa2048' });
  });
  holders.push(['an EC P-256 key (WebCrypto ECDSA, r‖s)', () => ec, async () => ec], ['an RSA key (PKCS#1 v1.5)', () => rsa, async () => rsa]);

  for (const [label, holder] of holders) {
    it(`produces a signature the verifier passes TOTAL_PASSED, with ${label}, the file never uploaded`, async () => {
      const cert = holder();
      const p12 = Buffer.from(buildPkcs12(cert.privateKey, cert.der, [h.pki.ca.der], PASSPHRASE));
      signed = null;
      const page = await chrome.context.newPage();
      const requests: { url: string; body: Buffer | null }[] = [];
      page.on('request', (r) => requests.push({ url: r.url(), body: r.postDataBuffer() }));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(base);
      expect(await page.evaluate(() => isSecureContext)).toBe(true);
      const reader = () => requests.filter((r) => /\/assets\/pkcs12-reader-/.test(r.url));
      expect(reader()).toHaveLength(0);
      expect(await page.textContent('form[data-p12-form]')).toMatch(/un lecteur de \d+ Ko/);

      await page.setInputFiles('#certificat-fichier', { name: 'certificat.p12', mimeType: 'application/x-pkcs12', buffer: p12 });
      await page.fill('#certificat-phrase', 'mauvaise phrase');
      await page.click('form[data-p12-form] button[type="submit"]');
      await page.waitForFunction(() => /Mot de passe incorrect/.test(document.querySelector('[data-p12-status]')?.textContent ?? ''));
      expect(reader()).toHaveLength(1);

      await page.fill('#certificat-phrase', PASSPHRASE);
      await page.click('form[data-p12-form] button[type="submit"]');
      await page.waitForFunction(() => document.getElementById('resultat')?.textContent !== '', undefined, { timeout: 60_000 });
      expect(await page.textContent('#resultat')).toBe('TOTAL_PASSED');
      expect(await page.textContent('[data-p12-status]')).toMatch(new RegExp(`Certificat de ${cert.cert.subjectName.getField('CN')[0]} ouvert`));
      expect(errors).toEqual([]);

      // What left the browser: the certificate and the signature value, never the file nor the passphrase.
      const sent = requests.filter((r) => r.body !== null);
      expect(sent.map((r) => new URL(r.url).pathname)).toEqual(['/prepare', '/complete']);
      for (const r of sent) {
        const text = r.body!.toString('latin1');
        expect(r.body!.includes(p12)).toBe(false);
        expect(text).not.toContain(p12.toString('base64').slice(0, 60));
        expect(text).not.toContain(PASSPHRASE);
      }
      await page.close();

      const { pdf, report } = signed!;
      expect(report.indication).toBe('TOTAL_PASSED');
      expect(report.signatures).toHaveLength(1);
      expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', padesLevel: 'B-LT' });
      expect(report.signatures[0]!.signer?.subject).toContain(cert.cert.subjectName.getField('CN')[0]);
      await judge(h, contract, pdf, {
        signatures: 1,
        signatureTimestamps: true,
        lastCoversAll: false,
        embedded: [h.pki.ca.der, h.pki.root.der, h.pki.tsa.der],
        vri: true,
      });
    });
  }
});
