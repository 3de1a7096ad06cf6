import crypto from 'node:crypto';
import type { Signer } from '../types.ts';
import { defaultHashFor, signatureAlgorithmId } from '../tsa/algorithms.ts';
import { certificateFields } from '../tsa/certificate-fields.ts';
import { bitString, children, ctx, DerError, enumerated, expectTag, generalizedTime, octets, oid, parseDer, readOid, seq, tlv, type Node } from '../tsa/der.ts';
import { REVOCATION_REASONS, type RevocationReason } from './reasons.ts';
import type { IssuingCa } from './issuing-ca.ts';

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OCSP_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 } as const;

export type CertificateStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason }
  | { status: 'unknown' };

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

const OID_NONCE = '1.3.6.1.5.5.7.48.1.2';
const MAX_CERT_IDS = 100;
const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

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

class Malformed extends Error {}

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
    const fields = certificateFields(ca.certificate);
    const signer = responder ?? ca.signer;
    const signerFields = certificateFields(signer.certificate);
    const prepared: PreparedAuthority = {
      name: ca.name,
      signer,
      responderId: ctx(2, octets(crypto.createHash('sha1').update(signerFields.publicKey).digest())),
      // The signer and its issuers below the root, so a client can build the path without fetching.
      certs: ctx(0, seq(signerFields.der, ...signer.chain.slice(0, -1).map((c) => Buffer.from(c)))),
    };
    for (const [algOid, hash] of Object.entries(HASHES)) {
      const nameHash = crypto.createHash(hash).update(fields.subject).digest('hex');
      const keyHash = crypto.createHash(hash).update(fields.publicKey).digest('hex');
      index.set(`${algOid}/${nameHash}/${keyHash}`, prepared);
    }
  }

  function parseRequest(body: Uint8Array): { requests: SingleRequest[]; nonce: Buffer | null } {
    try {
      const root = expectTag(parseDer(body), 0x30, 'OCSPRequest');
      const tbs = expectTag(children(root)[0], 0x30, 'tbsRequest');
      const parts = children(tbs);
      let i = 0;
      if (parts[i]?.tag === 0xa0) i++;
      if (parts[i]?.tag === 0xa1) i++;
      const list = children(expectTag(parts[i++], 0x30, 'requestList'));
      if (list.length === 0) throw new Malformed('requestList vide');
      // Each CertID costs database lookups: a request is for a handful of certificates.
      if (list.length > MAX_CERT_IDS) throw new Malformed('trop de certificats dans une requête');
      let nonce: Buffer | null = null;
      const extensions = parts[i];
      if (extensions) {
        expectTag(extensions, 0xa2, 'requestExtensions');
        for (const ext of children(expectTag(children(extensions)[0], 0x30, 'Extensions'))) {
          if (readOid(children(ext)[0]) === OID_NONCE) nonce = Buffer.from(ext.raw);
        }
      }
      const requests = list.map((request) => parseSingle(expectTag(children(expectTag(request, 0x30, 'Request'))[0], 0x30, 'CertID')));
      return { requests, nonce };
    } catch (error) {
      if (error instanceof DerError || error instanceof Malformed) throw new Malformed(error.message);
      throw error;
    }
  }

  function parseSingle(certId: Node): SingleRequest {
    const [algorithm, nameHash, keyHash, serial] = children(certId);
    const algOid = readOid(children(expectTag(algorithm, 0x30, 'hashAlgorithm'))[0]);
    const name = expectTag(nameHash, 0x04, 'issuerNameHash').content.toString('hex');
    const key = expectTag(keyHash, 0x04, 'issuerKeyHash').content.toString('hex');
    const serialBytes = expectTag(serial, 0x02, 'serialNumber').content;
    if (serialBytes.length === 0) throw new Malformed('numéro de série vide');
    const hex = serialBytes.toString('hex').replace(/^(00)+(?=[0-9a-f]{2})/, '');
    return { certId: Buffer.from(certId.raw), authority: index.get(`${algOid}/${name}/${key}`) ?? null, serialHex: hex };
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
      const status: CertificateStatus =
        request.authority === authority ? await options.status(authority.name, request.serialHex) : { status: 'unknown' };
      singles.push(seq(request.certId, encodeStatus(status), thisUpdate, ctx(0, nextUpdate)));
    }
    const responseData = seq(
      authority.responderId,
      generalizedTime(now),
      seq(...singles),
      parsed.nonce ? ctx(1, seq(parsed.nonce)) : Buffer.alloc(0),
    );
    const hash = defaultHashFor(authority.signer.keyAlgorithm);
    const signature = await authority.signer.sign(responseData, hash);
    const basic = seq(responseData, signatureAlgorithmId(authority.signer.keyAlgorithm, hash), bitString(signature), authority.certs);
    return seq(enumerated(OCSP_STATUS.successful), ctx(0, seq(oid(OID_BASIC), octets(basic))));
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
