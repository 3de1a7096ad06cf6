import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { HashAlgorithm, Timestamper } from '../types.ts';
import { DIGESTS, digestAlgorithmId } from './algorithms.ts';
import { bool, children, expectTag, integer, octets, oid, parseDer, readInteger, seq, unsignedInteger } from './der.ts';
import { readTimestampToken, type TokenSummary } from './token.ts';
import { FAIL_INFO } from './request.ts';

export type TsaClientErrorCode = 'TSA_UNREACHABLE' | 'TSA_HTTP_ERROR' | 'TSA_REJECTED' | 'TSA_BAD_REPLY' | 'TSA_BAD_INPUT';

/** Why a timestamp could not be obtained; `message` is French and safe to show. */
export class TsaClientError extends Error {
  constructor(
    readonly code: TsaClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TsaClientError';
  }
}

export interface TsaClientOptions {
  /** Ask for the TSA certificate in the token (default true: B-LT needs it). */
  certReq?: boolean;
  /** Send a random nonce and check it comes back (default true). */
  nonce?: boolean;
  policyOid?: string;
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/timestamp-query';

/**
 * An RFC 3161 client over HTTP POST. Returns the TimeStampToken DER exactly as
 * the TSA sent it, after checking status, imprint and nonce.
 */
export function createTsaClient(url: string, options: TsaClientOptions = {}): Timestamper {
  const certReq = options.certReq ?? true;
  const useNonce = options.nonce ?? true;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const where = displayUrl(url);

  return {
    async timestamp(messageImprint: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
      const digest = DIGESTS[hash];
      if (!digest) throw new TsaClientError('TSA_BAD_INPUT', `Algorithme d'empreinte non pris en charge : ${String(hash)}`);
      if (messageImprint.length !== digest.length) {
        throw new TsaClientError('TSA_BAD_INPUT', `Empreinte de ${messageImprint.length} octets, ${digest.length} attendus pour ${hash}`);
      }
      const nonce = useNonce ? crypto.randomBytes(12) : null;
      const query = seq(
        integer(1),
        seq(digestAlgorithmId(hash), octets(messageImprint)),
        options.policyOid ? oid(options.policyOid) : Buffer.alloc(0),
        nonce ? unsignedInteger(nonce) : Buffer.alloc(0),
        certReq ? bool(true) : Buffer.alloc(0),
      );
      const reply = await post(url, where, query, timeoutMs);
      return checkReply(reply, where, { hashOid: digest.oid, imprint: messageImprint, nonce });
    },
  };
}

async function post(url: string, where: string, body: Buffer, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/timestamp-reply' },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const reason = cause instanceof Error && cause.name === 'TimeoutError' ? `pas de réponse en ${timeoutMs / 1000} s` : networkReason(cause);
    throw new TsaClientError('TSA_UNREACHABLE', `Le service d'horodatage ${where} est injoignable (${reason}).`, { cause });
  }
  const bytes = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
  if (!response.ok) {
    throw new TsaClientError('TSA_HTTP_ERROR', `Le service d'horodatage ${where} a répondu par une erreur HTTP ${response.status}.`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/timestamp-reply')) {
    throw new TsaClientError('TSA_BAD_REPLY', `Le service d'horodatage ${where} a répondu avec un type inattendu (${type || 'aucun'}).`);
  }
  return bytes;
}

function checkReply(bytes: Uint8Array, where: string, expected: { hashOid: string; imprint: Uint8Array; nonce: Buffer | null }): Uint8Array {
  const bad = (detail: string, cause?: unknown): TsaClientError =>
    new TsaClientError('TSA_BAD_REPLY', `Réponse d'horodatage de ${where} inutilisable : ${detail}.`, { cause });
  const { status, token, summary } = readReply(bytes, bad);
  if (status !== 0 && status !== 1) throw rejected(bytes, where, status);
  if (!token || !summary) throw bad('jeton absent');
  if (summary.hashOid !== expected.hashOid || !summary.hashedMessage.equals(expected.imprint)) {
    throw bad("l'empreinte du jeton ne correspond pas à la demande");
  }
  if (expected.nonce && summary.nonce !== BigInt(`0x${expected.nonce.toString('hex')}`)) {
    throw bad('le nonce du jeton ne correspond pas à la demande');
  }
  return new Uint8Array(token);
}

/**
 * DER fast path (pkijs costs ~10 ms per token with its certificates), pkijs for
 * TSAs that answer in BER.
 */
function readReply(
  bytes: Uint8Array,
  bad: (detail: string, cause?: unknown) => TsaClientError,
): { status: number; token: Uint8Array | null; summary: TokenSummary | null } {
  try {
    const [statusInfo, token] = children(parseDer(bytes));
    const status = Number(readInteger(children(expectTag(statusInfo, 0x30, 'PKIStatusInfo'))[0], 'status'));
    return { status, token: token ? token.raw : null, summary: token && (status === 0 || status === 1) ? readTimestampToken(token) : null };
  } catch {
    // fall through to the tolerant reader
  }
  try {
    const decoded = asn1js.fromBER(bytes);
    if (decoded.offset === -1 || !(decoded.result instanceof asn1js.Sequence)) throw new Error(decoded.result.error);
    const response = new pkijs.TimeStampResp({ schema: decoded.result });
    const status = response.status.status;
    const token = decoded.result.valueBlock.value[1]?.valueBeforeDecodeView ?? null;
    if (!token || !response.timeStampToken || (status !== 0 && status !== 1)) return { status, token: null, summary: null };
    const signed = new pkijs.SignedData({ schema: response.timeStampToken.content });
    if (signed.encapContentInfo.eContentType !== '1.2.840.113549.1.9.16.1.4' || !signed.encapContentInfo.eContent) throw new Error('eContent');
    const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent.getValue());
    const hex = (view: Uint8Array): bigint => BigInt(`0x${Buffer.from(view).toString('hex') || '0'}`);
    return {
      status,
      token: new Uint8Array(token),
      summary: {
        policy: info.policy,
        hashOid: info.messageImprint.hashAlgorithm.algorithmId,
        hashedMessage: Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView),
        serialNumber: hex(info.serialNumber.valueBlock.valueHexView),
        genTime: info.genTime.toISOString(),
        nonce: info.nonce ? hex(info.nonce.valueBlock.valueHexView) : null,
        certificateCount: signed.certificates?.length ?? 0,
      },
    };
  } catch (cause) {
    throw bad('structure TimeStampResp illisible', cause);
  }
}

function rejected(bytes: Uint8Array, where: string, status: number): TsaClientError {
  let text = '';
  let reasons = '';
  try {
    const response = pkijs.TimeStampResp.fromBER(new Uint8Array(bytes));
    text = response.status.statusStrings?.map((s) => s.valueBlock.value).join(' ') ?? '';
    reasons = failInfoNames(response.status.failInfo);
  } catch {
    // the status alone still says it was refused
  }
  return new TsaClientError(
    'TSA_REJECTED',
    `Le service d'horodatage ${where} a refusé la demande (statut ${status}${reasons ? `, ${reasons}` : ''})${text ? ` : ${text}` : ''}.`,
  );
}

function failInfoNames(failInfo: asn1js.BitString | undefined): string {
  if (!failInfo) return '';
  const view = failInfo.valueBlock.valueHexView;
  return Object.entries(FAIL_INFO)
    .filter(([, bit]) => bit < view.length * 8 && view[bit >> 3]! & (0x80 >> (bit & 7)))
    .map(([name]) => name)
    .join(', ');
}

function networkReason(cause: unknown): string {
  const code = (cause as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connexion refusée';
  if (code === 'ENOTFOUND') return 'nom de serveur inconnu';
  if (code === 'ECONNRESET') return 'connexion interrompue';
  return code ?? 'erreur réseau';
}

/** The URL without credentials or query string: safe for messages and logs. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    throw new TsaClientError('TSA_BAD_INPUT', "Adresse du service d'horodatage invalide.");
  }
}
