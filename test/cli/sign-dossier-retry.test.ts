/**
 * `passeport sign --dossier` when the engine answers 503 « réessayez » (a worker restarting):
 * the device tries again a bounded number of times, and a retried signature whose first
 * attempt had in fact been applied is reported as done, not as a refusal. The engine's side is
 * an HTTP server scripted with the API's real answers, because the failure to reproduce — an
 * answer lost after the step was applied — cannot be caused on demand in a real engine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRefusal, signDossier } from '../../cli/sign-dossier.ts';
import type { Signer } from '../../certs/types.ts';

type Answer = { status: number; body: unknown };
let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves each route's answers in order (the last one repeats) and records the requests. */
async function engine(script: Record<string, Answer[]>): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const route = `${request.method} ${request.url!.replace(/^\/v1\/dossiers\/d-1/, '')}`;
      seen.push(route);
      const answers = script[route] ?? [{ status: 404, body: { detail: 'inconnu' } }];
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      const problem = answer.status >= 400;
      response.writeHead(answer.status, { 'content-type': problem ? 'application/problem+json' : 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const unavailable: Answer = {
  status: 503,
  body: { type: 'engine-unavailable', status: 503, detail: 'L’étape n’a pas pu être transmise au moteur. Réessayez dans quelques instants.' },
};
const signer: Signer = { certificate: new Uint8Array([1]), chain: [], keyAlgorithm: 'ec-p256', sign: async () => new Uint8Array([2]), alwaysValid: false } as unknown as Signer;
const prepared: Answer = { status: 200, body: { preparationId: 'p-1', dataToSign: 'AQ==', hash: 'SHA-256' } };
const contract: Answer = { status: 200, body: { status: 'awaiting_banque', turn: 'banque', contract: { version: 2, sha256: 'ab' } } };
const options = (url: string) => ({ dossierId: 'd-1', party: 'revendeur' as const, apiUrl: url, apiKey: 'k', signer, retryDelaysMs: [10, 10, 10] });

describe('passeport sign --dossier when the engine asks to retry', () => {
  it('tries the signature again after a 503 and reports the step done', async () => {
    const { url, seen } = await engine({
      'GET /contract/document': [{ status: 200, body: {} }],
      'POST /contract/revendeur/data-to-sign': [prepared],
      'POST /contract/revendeur/signature': [unavailable, { status: 200, body: { stage: 'awaiting_banque', turn: 'banque' } }],
      'GET /contract': [contract],
    });
    const result = await signDossier(options(url));
    expect(result).toMatchObject({ action: 'signed', stage: 'awaiting_banque', contractVersion: 2 });
    expect(seen.filter((r) => r === 'POST /contract/revendeur/signature')).toHaveLength(2);
  });

  it('a retry that hears « préparation déjà utilisée » means the lost answer had applied it: signed, the stage read from the engine', async () => {
    const { url } = await engine({
      'GET /contract/document': [{ status: 200, body: {} }],
      'POST /contract/revendeur/data-to-sign': [prepared],
      'POST /contract/revendeur/signature': [unavailable, { status: 409, body: { code: 'preparation_used', detail: 'Cette préparation a déjà servi.' } }],
      'GET /contract': [contract],
    });
    expect(await signDossier(options(url))).toMatchObject({ action: 'signed', stage: 'awaiting_banque', turn: 'banque' });
  });

  it('the same 409 on a first attempt is a refusal, said as the engine says it', async () => {
    const { url } = await engine({
      'GET /contract/document': [{ status: 200, body: {} }],
      'POST /contract/revendeur/data-to-sign': [prepared],
      'POST /contract/revendeur/signature': [{ status: 409, body: { code: 'preparation_used', detail: 'Cette préparation a déjà servi.' } }],
    });
    await expect(signDossier(options(url))).rejects.toMatchObject({ status: 409, code: 'preparation_used', message: 'Cette préparation a déjà servi.' });
  });

  it('gives up after its bounded retries with the engine’s own words', async () => {
    const { url, seen } = await engine({
      'GET /contract/document': [{ status: 200, body: {} }],
      'POST /contract/revendeur/data-to-sign': [unavailable],
    });
    const error = await signDossier(options(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRefusal);
    expect(error).toMatchObject({ status: 503, message: expect.stringContaining('Réessayez') });
    expect(seen.filter((r) => r === 'POST /contract/revendeur/data-to-sign')).toHaveLength(4);
  });
});
