/**
 * The signer's downloads (`sign --fetch`, `extend --fetch`, the ceremony's PKI access) are
 * bounded as they arrive: an endless or oversized answer is abandoned past the limit, not read
 * whole into memory first; a silent server ends at the time limit. Each with a French reason.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes } from '../../signature/fetchers.ts';
import { SignatureError } from '../../signature/errors.ts';

let server: http.Server;
let base: string;
let streamed = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/sans-fin.crl') {
      // No Content-Length, and no end: only a reader that counts as it reads can stop.
      response.writeHead(200, { 'content-type': 'application/pkix-crl' });
      const chunk = Buffer.alloc(64 * 1024, 0x30);
      const push = (): void => {
        while (response.write(chunk)) streamed += chunk.length;
        streamed += chunk.length;
      };
      response.on('drain', push);
      push();
      request.on('close', () => response.destroy());
    } else if (request.url === '/annonce.crl') {
      response.writeHead(200, { 'content-length': String(3 * 1024 * 1024) });
      response.end();
    } else if (request.url === '/muet.crl') {
      request.on('close', () => response.destroy());
    } else {
      response.writeHead(200);
      response.end(Buffer.from([0x30, 0x00]));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the signer’s bounded downloads', () => {
  it('abandons an endless answer as soon as it passes the limit', async () => {
    const error = await fetchBytes(`${base}/sans-fin.crl`, 20_000, 1024 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(error).toMatchObject({ code: 'SIGN_FETCH_FAILED', message: `${base}/sans-fin.crl : réponse de plus de 1 Mio, abandonnée` });
    // What the server managed to push before the reader stopped: the limit and the sockets' buffers, not the 20 s of streaming.
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses an answer announced larger than the limit before reading it', async () => {
    await expect(fetchBytes(`${base}/annonce.crl`, 5_000, 1024 * 1024)).rejects.toMatchObject({
      code: 'SIGN_FETCH_FAILED',
      message: expect.stringContaining('réponse de plus de 1 Mio'),
    });
  });

  it('ends a silent server at the time limit, saying how long it waited', async () => {
    await expect(fetchBytes(`${base}/muet.crl`, 300, 1024)).rejects.toMatchObject({ code: 'SIGN_FETCH_FAILED', message: `${base}/muet.crl n’a pas répondu en 0,3 s` });
  });

  it('returns a small answer whole', async () => {
    expect([...(await fetchBytes(`${base}/petit.crl`, 5_000, 1024))]).toEqual([0x30, 0x00]);
  });
});
