/** The signing API as a party's device uses it, every answer kept (status and body) for the refusal tests. */
import type { Signer } from '../../../certs/types.ts';
import type { Party } from '../../../domain/ceremony.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(apiUrl: string, key: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'user-agent': 'test-ceremonie/1.0', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, body: parsed as T, headers: response.headers };
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export interface Prepared {
  preparationId: string;
  dataToSign: string;
  hash: 'SHA-256';
}

export function prepare(
  apiUrl: string,
  key: string,
  dossierId: string,
  party: Party,
  certificate: Uint8Array,
  chain: Uint8Array[] = [],
): Promise<Answer<Prepared & { detail?: string; code?: string }>> {
  return call(apiUrl, key, 'POST', `/v1/dossiers/${dossierId}/contract/${party}/data-to-sign`, { certificate: b64(certificate), chain: chain.map(b64) });
}

export function postSignature(apiUrl: string, key: string, dossierId: string, party: Party, preparationId: string, value: Uint8Array) {
  return call<{ stage?: string; detail?: string; code?: string }>(apiUrl, key, 'POST', `/v1/dossiers/${dossierId}/contract/${party}/signature`, {
    preparationId,
    signatureValue: b64(value),
  });
}

/** Prepare, sign on the device, post: the whole of one party's turn. */
export async function signAs(apiUrl: string, key: string, dossierId: string, party: Party, signer: Signer) {
  const prepared = await prepare(apiUrl, key, dossierId, party, signer.certificate, signer.chain);
  if (prepared.status !== 200) return prepared as unknown as Answer<{ stage?: string; detail?: string; code?: string }>;
  const value = await signer.sign(Buffer.from(prepared.body.dataToSign, 'base64'), prepared.body.hash);
  return postSignature(apiUrl, key, dossierId, party, prepared.body.preparationId, value);
}

export async function waitForStatus(apiUrl: string, key: string, dossierId: string, wanted: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await call(apiUrl, key, 'GET', `/v1/dossiers/${dossierId}/contract`);
    if (last.status === 200 && last.body.status === wanted) return last.body;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`contract of ${dossierId} never reached ${wanted}: last ${JSON.stringify(last?.body)}`);
}
