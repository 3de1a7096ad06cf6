import {
  Asn1Error,
  OID,
  bitString,
  ctx,
  defaultHashFor,
  digestByOid,
  enumerated,
  generalizedTime,
  hash,
  octets,
  oid,
  parse,
  parseCertificate,
  seq,
  required,
  signatureAlgorithmId,
  tlv,
  type DigestName,
  type Node,
} from '../../asn1/index.ts';
import type { Signer } from '../types.ts';
import { REVOCATION_REASONS, type RevocationReason } from './reasons.ts';
import type { IssuingCa } from './issuing-ca.ts';

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OCSP_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 } as const;

export type CertificateStatus = { status: 'good' } | { status: 'revoked'; revokedAt: Date; reason: RevocationReason } | { status: 'unknown' };

export interface OcspAuthority {
  ca: IssuingCa;
  /** A delegated responder (EKU OCSPSigning, issued by `ca`); the CA itself signs when absent. */
  responder?: Signer;
}

export interface OcspResponderOptions {
  authorities: readonly OcspAuthority[];
  status(caName: string, serialHex: string): Promise<CertificateStatus>;
  /** nextUpdate − thisUpdate of each answer (default 1 h). */
  validitySeconds?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

export interface OcspResponder {
  /** Answers a DER OCSPRequest with a DER OCSPResponse; never throws. */
  respond(request: Uint8Array): Promise<Buffer>;
}

const MAX_CERT_IDS = 100;
/** CertID hashes a client may use (RFC 6960 asks for SHA-1; RFC 5019 clients may send SHA-2). */
const CERT_ID_HASHES: readonly DigestName[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

export function statusOnly(status: Exclude<keyof typeof OCSP_STATUS, 'successful'>): Buffer {
  return seq(enumerated(OCSP_STATUS[status]));
}

interface PreparedAuthority {
  name: string;
  signer: Signer;
  responderId: Buffer;
  certs: Buffer;
}

interface SingleRequest {
  certId: Buffer;
  authority: PreparedAuthority | null;
  serialHex: string;
}

class Malformed extends Error {
  override name = 'Malformed';
}

/**
 * An RFC 6960 responder for the engine's CAs. A CertID is matched on its
 * issuerNameHash and issuerKeyHash with SHA-1 or SHA-2; answers good, revoked
 * (time and reason) or unknown, echoes the nonce, signs as the CA or its delegate.
 */
export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const validity = (options.validitySeconds ?? 3600) * 1000;
  const clock = options.now ?? (() => new Date());
  const index = new Map<string, PreparedAuthority>();
  for (const { ca, responder } of options.authorities) {
    const caCert = parseCertificate(ca.certificate);
    const signer = responder ?? ca.signer;
    const prepared: PreparedAuthority = {
      name: ca.name,
      signer,
      responderId: ctx(2, octets(hash('SHA-1', parseCertificate(signer.certificate).publicKeyBits))),
      // The signer and its issuers below the root, so a client can build the path without fetching.
      certs: ctx(0, seq(signer.certificate, ...signer.chain.slice(0, -1))),
    };
    for (const name of CERT_ID_HASHES) {
      const nameHash = Buffer.from(hash(name, caCert.subjectDer)).toString('hex');
      const keyHash = Buffer.from(hash(name, caCert.publicKeyBits)).toString('hex');
      index.set(`${name}/${nameHash}/${keyHash}`, prepared);
    }
  }

  function parseRequest(body: Uint8Array): { requests: SingleRequest[]; nonce: Buffer | null } {
    try {
      const parts = parse(body).items('OCSPRequest')[0]?.items('tbsRequest') ?? [];
      let i = 0;
      if (parts[i]?.tag === 0xa0) i++;
      if (parts[i]?.tag === 0xa1) i++;
      const list = required(parts[i++], 'requestList').items('requestList');
      if (list.length === 0) throw new Malformed('requestList vide');
      // Each CertID costs database lookups: a request is for a handful of certificates.
      if (list.length > MAX_CERT_IDS) throw new Malformed('trop de certificats dans une requête');
      let nonce: Buffer | null = null;
      const extensions = parts[i];
      if (extensions) {
        for (const ext of extensions.expect(0xa2, 'requestExtensions').child(0, 'Extensions').items('Extensions')) {
          if (ext.child(0, 'extnID').oid('extnID') === OID.ocspNonce) nonce = Buffer.from(ext.raw);
        }
      }
      const requests = list.map((request) => parseSingle(request.expect(0x30, 'Request').child(0, 'CertID').expect(0x30, 'CertID')));
      return { requests, nonce };
    } catch (error) {
      if (error instanceof Asn1Error || error instanceof Malformed) throw new Malformed(error.message);
      throw error;
    }
  }

  function parseSingle(certId: Node): SingleRequest {
    const [algorithm, nameHash, keyHash, serial] = certId.children;
    const digest = digestByOid(required(algorithm, 'hashAlgorithm').expect(0x30, 'hashAlgorithm').child(0, 'hashAlgorithm').oid('hashAlgorithm'));
    const name = Buffer.from(required(nameHash, 'issuerNameHash').expect(0x04, 'issuerNameHash').content).toString('hex');
    const key = Buffer.from(required(keyHash, 'issuerKeyHash').expect(0x04, 'issuerKeyHash').content).toString('hex');
    const serialBytes = required(serial, 'serialNumber').expect(0x02, 'serialNumber').content;
    if (serialBytes.length === 0) throw new Malformed('numéro de série vide');
    const hex = Buffer.from(serialBytes)
      .toString('hex')
      .replace(/^(00)+(?=[0-9a-f]{2})/, '');
    return { certId: Buffer.from(certId.raw), authority: index.get(`${digest}/${name}/${key}`) ?? null, serialHex: hex };
  }

  async function answer(body: Uint8Array): Promise<Buffer> {
    let parsed: ReturnType<typeof parseRequest>;
    try {
      parsed = parseRequest(body);
    } catch (error) {
      if (error instanceof Malformed) return statusOnly('malformedRequest');
      throw error;
    }
    // One response has one signer: the CA of the first CertID we know answers for all of it.
    const authority = parsed.requests.find((r) => r.authority)?.authority;
    if (!authority) return statusOnly('unauthorized');
    const now = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const nextUpdate = generalizedTime(new Date(now.getTime() + validity));
    const thisUpdate = generalizedTime(now);
    const singles: Buffer[] = [];
    for (const request of parsed.requests) {
      const status: CertificateStatus = request.authority === authority ? await options.status(authority.name, request.serialHex) : { status: 'unknown' };
      singles.push(seq(request.certId, encodeStatus(status), thisUpdate, ctx(0, nextUpdate)));
    }
    const responseData = seq(authority.responderId, generalizedTime(now), seq(...singles), parsed.nonce ? ctx(1, seq(parsed.nonce)) : Buffer.alloc(0));
    const hash = defaultHashFor(authority.signer.keyAlgorithm);
    const signature = await authority.signer.sign(responseData, hash);
    const basic = seq(responseData, signatureAlgorithmId(authority.signer.keyAlgorithm, hash), bitString(signature), authority.certs);
    return seq(enumerated(OCSP_STATUS.successful), ctx(0, seq(oid(OID.ocspBasic), octets(basic))));
  }

  return {
    async respond(body) {
      try {
        return await answer(body);
      } catch (error) {
        options.onError?.(error);
        return statusOnly('internalError');
      }
    },
  };
}

function encodeStatus(status: CertificateStatus): Buffer {
  if (status.status === 'good') return Buffer.from([0x80, 0x00]);
  if (status.status === 'unknown') return Buffer.from([0x82, 0x00]);
  const reason = status.reason === 'unspecified' ? Buffer.alloc(0) : ctx(0, enumerated(REVOCATION_REASONS[status.reason]));
  return tlv(0xa1, generalizedTime(status.revokedAt), reason);
}
