import crypto from 'node:crypto';
import { bool, DIGESTS, digestAlgorithmId, integer, octets, oid, parse, seq, unsignedInteger, type HashAlgorithm, type Node } from '../../asn1/index.ts';
import type { Timestamper } from '../types.ts';
import { readTimestampToken, type TokenSummary } from './token.ts';
import { FAIL_INFO } from './request.ts';
import { PkiError } from '../errors.ts';

export type TsaClientErrorCode = 'TSA_UNREACHABLE' | 'TSA_HTTP_ERROR' | 'TSA_REJECTED' | 'TSA_BAD_REPLY' | 'TSA_BAD_INPUT';

/** Why a timestamp could not be obtained; `message` is French and safe to show. */
export class TsaClientError extends PkiError {
  declare readonly code: TsaClientErrorCode;

  constructor(code: TsaClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
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
  const timeoutMs = options.timeoutMs ?? 15_000;
  const where = displayUrl(url);
  return timestamperOver((query) => post(url, where, query, timeoutMs), where, options);
}

/**
 * The same client for an authority running in this process (`respond` answers a DER
 * TimeStampReq with a DER TimeStampResp), with the same checks of the reply.
 */
export function createInProcessTsaClient(respond: (query: Uint8Array) => Promise<Uint8Array>, options: TsaClientOptions = {}): Timestamper {
  return timestamperOver(respond, "l'autorité d'horodatage du moteur", options);
}

function timestamperOver(send: (query: Buffer) => Promise<Uint8Array>, where: string, options: TsaClientOptions): Timestamper {
  const certReq = options.certReq ?? true;
  const useNonce = options.nonce ?? true;
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
      const reply = await send(query);
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
  const bad = (detail: string, cause?: unknown): TsaClientError => new TsaClientError('TSA_BAD_REPLY', `Réponse d'horodatage de ${where} inutilisable : ${detail}.`, { cause });
  let response: Node;
  let status: number;
  try {
    // BER: some TSAs answer with indefinite lengths; the token is returned exactly as sent.
    response = parse(bytes, { ber: true });
    status = response.child(0, 'PKIStatusInfo').expect(0x30, 'PKIStatusInfo').child(0, 'status').smallInteger('status');
  } catch (cause) {
    throw bad('structure TimeStampResp illisible', cause);
  }
  if (status !== 0 && status !== 1) throw rejected(response, where, status);
  const token = response.at(1);
  if (!token) throw bad('jeton absent');
  let summary: TokenSummary;
  try {
    summary = readTimestampToken(token);
  } catch (cause) {
    throw bad('structure TimeStampResp illisible', cause);
  }
  if (summary.hashOid !== expected.hashOid || !summary.hashedMessage.equals(expected.imprint)) {
    throw bad("l'empreinte du jeton ne correspond pas à la demande");
  }
  if (expected.nonce && summary.nonce !== BigInt(`0x${expected.nonce.toString('hex')}`)) {
    throw bad('le nonce du jeton ne correspond pas à la demande');
  }
  return new Uint8Array(token.raw);
}

/** PKIStatusInfo ::= SEQUENCE { status, statusString SEQUENCE OF UTF8String OPTIONAL, failInfo BIT STRING OPTIONAL } */
function rejected(response: Node, where: string, status: number): TsaClientError {
  let text = '';
  let reasons = '';
  try {
    for (const part of response.child(0, 'PKIStatusInfo').children.slice(1)) {
      if (part.tag === 0x30) text = part.children.map((s) => Buffer.from(s.content).toString('utf8')).join(' ');
      if (part.tag === 0x03) reasons = failInfoNames(part.content);
    }
  } catch {
    // the status alone still says it was refused
  }
  return new TsaClientError('TSA_REJECTED', `Le service d'horodatage ${where} a refusé la demande (statut ${status}${reasons ? `, ${reasons}` : ''})${text ? ` : ${text}` : ''}.`);
}

/** Names of the bits set in a failInfo BIT STRING (its content: unused-bits octet, then the bits). */
function failInfoNames(bitString: Uint8Array): string {
  const bits = bitString.subarray(1);
  return Object.entries(FAIL_INFO)
    .filter(([, bit]) => bit < bits.length * 8 && bits[bit >> 3]! & (0x80 >> (bit & 7)))
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
