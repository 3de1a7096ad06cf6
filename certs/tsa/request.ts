import { Asn1Error, DIGESTS, digestByOid, parse, required, type HashAlgorithm, type Node } from '../../asn1/index.ts';
import { PkiError } from '../errors.ts';

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
export class TsaRejection extends PkiError {
  constructor(
    readonly failInfo: FailInfo,
    message: string,
  ) {
    super('TSA_REQUEST_REFUSED', message);
    this.name = 'TsaRejection';
  }
}

const IMPRINT_HASHES: ReadonlySet<string> = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

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
    return parseRequest(body);
  } catch (error) {
    if (error instanceof TsaRejection) throw error;
    if (error instanceof Asn1Error) throw new TsaRejection('badDataFormat', `Requête d'horodatage illisible : ${error.message}`);
    throw error;
  }
}

function parseRequest(body: Uint8Array): TimestampRequest {
  const fields = parse(body).items('TimeStampReq');
  const version = required(fields[0], 'version').integer('version');
  if (version !== 1n) throw new TsaRejection('badRequest', `Version de requête non prise en charge : ${version}`);
  const imprintNode = required(fields[1], 'messageImprint').expect(0x30, 'messageImprint');
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
    if (order === undefined || order <= stage) throw new Asn1Error('MALFORMED', 'champ inattendu dans TimeStampReq');
    stage = order;
    if (node.tag === 0x06) request.reqPolicy = node.oid('reqPolicy');
    else if (node.tag === 0x02) {
      node.integer('nonce');
      request.nonce = Buffer.from(node.raw);
    } else if (node.tag === 0x01) request.certReq = node.boolean('certReq');
    else checkExtensions(node);
  }
  return request;
}

function parseImprint(node: Node): { hash: HashAlgorithm; hashedMessage: Buffer } {
  const [algorithm, hashed, extra] = node.children;
  if (!algorithm || algorithm.tag !== 0x30 || !hashed || hashed.tag !== 0x04 || extra) {
    throw new Asn1Error('MALFORMED', 'messageImprint mal formé');
  }
  const [algOid, params, more] = algorithm.children;
  const dotted = required(algOid, 'hashAlgorithm').oid('hashAlgorithm');
  const hash = digestByOid(dotted);
  if (!hash || !IMPRINT_HASHES.has(hash)) throw new TsaRejection('badAlg', `Algorithme d'empreinte refusé (${dotted}) : SHA-256, SHA-384 ou SHA-512 attendu`);
  if (more || (params && !(params.tag === 0x05 && params.content.length === 0))) {
    throw new TsaRejection('badAlg', `Paramètres inattendus pour ${hash}`);
  }
  if (hashed.content.length !== DIGESTS[hash].length) {
    throw new TsaRejection('badDataFormat', `Empreinte de ${hashed.content.length} octets, ${DIGESTS[hash].length} attendus pour ${hash}`);
  }
  return { hash: hash as HashAlgorithm, hashedMessage: Buffer.from(hashed.content) };
}

function checkExtensions(node: Node): void {
  for (const ext of node.children) {
    const parts = ext.children;
    const extOid = required(parts[0], 'extnID').oid('extnID');
    const critical = parts.length === 3 ? parts[1]!.boolean('critical') : false;
    if (parts[parts.length - 1]?.tag !== 0x04) throw new Asn1Error('MALFORMED', 'extension mal formée');
    if (critical) throw new TsaRejection('unacceptedExtension', `Extension critique non prise en charge : ${extOid}`);
  }
}
