import type { HashAlgorithm } from '../types.ts';
import { DIGESTS, digestByOid } from './algorithms.ts';
import { children, DerError, parseDer, readBoolean, readInteger, readOid, type Node } from './der.ts';

/** RFC 3161 PKIFailureInfo bit numbers. */
export const FAIL_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type FailInfo = keyof typeof FAIL_INFO;

/** A request the TSA refuses: answered with PKIStatus rejection and this failInfo. */
export class TsaRejection extends Error {
  constructor(
    readonly failInfo: FailInfo,
    message: string,
  ) {
    super(message);
  }
}

export interface TimestampRequest {
  hash: HashAlgorithm;
  /** The MessageImprint SEQUENCE exactly as received: the token copies it. */
  messageImprint: Buffer;
  hashedMessage: Buffer;
  reqPolicy: string | null;
  /** The nonce INTEGER exactly as received, or null. */
  nonce: Buffer | null;
  certReq: boolean;
}

/**
 * Parses a DER TimeStampReq. Every fault becomes a TsaRejection whose failInfo
 * says which: badDataFormat (not DER / wrong shape), badAlg, badRequest, unacceptedExtension.
 */
export function parseTimestampRequest(body: Uint8Array): TimestampRequest {
  try {
    return parse(body);
  } catch (error) {
    if (error instanceof TsaRejection) throw error;
    if (error instanceof DerError) throw new TsaRejection('badDataFormat', `Requête d'horodatage illisible : ${error.message}`);
    throw error;
  }
}

function parse(body: Uint8Array): TimestampRequest {
  const root = parseDer(body);
  if (root.tag !== 0x30) throw new DerError('TimeStampReq doit être une SEQUENCE');
  const fields = children(root);
  const version = readInteger(fields[0], 'version');
  if (version !== 1n) throw new TsaRejection('badRequest', `Version de requête non prise en charge : ${version}`);
  const imprintNode = fields[1];
  if (!imprintNode || imprintNode.tag !== 0x30) throw new DerError('messageImprint absent');
  const { hash, hashedMessage } = parseImprint(imprintNode);

  const request: TimestampRequest = {
    hash,
    messageImprint: Buffer.from(imprintNode.raw),
    hashedMessage,
    reqPolicy: null,
    nonce: null,
    certReq: false,
  };
  // The optional fields must come in their ASN.1 order, each at most once.
  let stage = 0;
  for (const node of fields.slice(2)) {
    const order = { 0x06: 1, 0x02: 2, 0x01: 3, 0xa0: 4 }[node.tag];
    if (order === undefined || order <= stage) throw new DerError('champ inattendu dans TimeStampReq');
    stage = order;
    if (node.tag === 0x06) request.reqPolicy = readOid(node, 'reqPolicy');
    else if (node.tag === 0x02) {
      readInteger(node, 'nonce');
      request.nonce = Buffer.from(node.raw);
    } else if (node.tag === 0x01) request.certReq = readBoolean(node, 'certReq');
    else checkExtensions(node);
  }
  return request;
}

function parseImprint(node: Node): { hash: HashAlgorithm; hashedMessage: Buffer } {
  const [algorithm, hashed, extra] = children(node);
  if (!algorithm || algorithm.tag !== 0x30 || !hashed || hashed.tag !== 0x04 || extra) {
    throw new DerError('messageImprint mal formé');
  }
  const [algOid, params, more] = children(algorithm);
  const dotted = readOid(algOid, 'hashAlgorithm');
  const hash = digestByOid(dotted);
  if (!hash) throw new TsaRejection('badAlg', `Algorithme d'empreinte refusé (${dotted}) : SHA-256, SHA-384 ou SHA-512 attendu`);
  if (more || (params && !(params.tag === 0x05 && params.content.length === 0))) {
    throw new TsaRejection('badAlg', `Paramètres inattendus pour ${hash}`);
  }
  if (hashed.content.length !== DIGESTS[hash].length) {
    throw new TsaRejection('badDataFormat', `Empreinte de ${hashed.content.length} octets, ${DIGESTS[hash].length} attendus pour ${hash}`);
  }
  return { hash, hashedMessage: Buffer.from(hashed.content) };
}

function checkExtensions(node: Node): void {
  for (const ext of children(node)) {
    const parts = children(ext);
    const extOid = readOid(parts[0], 'extnID');
    const critical = parts.length === 3 ? readBoolean(parts[1], 'critical') : false;
    if (parts[parts.length - 1]?.tag !== 0x04) throw new DerError('extension mal formée');
    if (critical) throw new TsaRejection('unacceptedExtension', `Extension critique non prise en charge : ${extOid}`);
  }
}
