import {
  OID,
  ctx,
  defaultHashFor,
  digestAlgorithmId,
  generalizedTime,
  hash as digest,
  headerSize,
  integer,
  octets,
  oid,
  parseCertificate,
  seq,
  setOf,
  signatureAlgorithmId,
  tlv,
  type HashAlgorithm,
} from '../../asn1/index.ts';
import type { Signer } from '../types.ts';
import { PkiError } from '../errors.ts';
import { POLICY_OIDS, ETSI_BASELINE_TSA_POLICY } from '../policies.ts';
import { parseTimestampRequest, TsaRejection } from './request.ts';
import { grantedResponse, rejectionResponse } from './response.ts';
import type { SerialSource } from './serials.ts';

export interface TimestampAuthorityOptions {
  signer: Signer;
  /** Defaults to the signer's certificate and chain. */
  certificate?: Uint8Array;
  chain?: Uint8Array[];
  /** Policy written in tokens when the request names none. */
  policyOid?: string;
  /** Policies a request may ask for; the default policy is always accepted. */
  acceptedPolicies?: readonly string[];
  serials: SerialSource;
  /** Digest of the token's signed attributes; defaults to what suits the key. */
  hash?: HashAlgorithm;
  /** Writes the TSA's subject in TSTInfo.tsa (default true). */
  includeTsaName?: boolean;
  clock?: () => Date;
  /** Told about unexpected failures (answered as systemFailure); a logger goes here. */
  onError?: (error: unknown) => void;
}

export interface TimestampAuthority {
  /** Answers a DER TimeStampReq with a DER TimeStampResp; never throws for bad input. */
  respond(request: Uint8Array): Promise<Buffer>;
  readonly certificate: Uint8Array;
  readonly policyOid: string;
}

/** Accuracy ::= SEQUENCE { seconds 1 } */
const ACCURACY = seq(integer(1));

/**
 * An RFC 3161 timestamp authority. Everything that does not depend on the
 * request (certificates, ESSCertIDv2, SignerInfo prefix) is encoded once here;
 * per request only TSTInfo, one digest and the signature are computed.
 */
export function createTimestampAuthority(options: TimestampAuthorityOptions): TimestampAuthority {
  const { signer, serials } = options;
  const certificate = options.certificate ?? signer.certificate;
  const chain = options.chain ?? signer.chain;
  assertTimestampingCertificate(certificate);
  const policyOid = options.policyOid ?? POLICY_OIDS.tsa;
  const accepted = new Set([policyOid, ...(options.acceptedPolicies ?? [ETSI_BASELINE_TSA_POLICY])]);
  const hash = options.hash ?? defaultHashFor(signer.keyAlgorithm);
  const clock = options.clock ?? (() => new Date());
  const cert = parseCertificate(certificate);
  const serialNumber = tlv(0x02, cert.serialBytes);

  const digestAlg = digestAlgorithmId(hash);
  const signatureAlg = signatureAlgorithmId(signer.keyAlgorithm, hash);
  const essCertIdV2 = seq(...(hash === 'SHA-256' ? [] : [digestAlgorithmId(hash)]), octets(digest(hash, certificate)), seq(seq(ctx(4, cert.issuerDer)), serialNumber));
  const signingCertAttr = seq(oid(OID.signingCertificateV2), setOf(seq(seq(essCertIdV2))));
  const contentTypeAttr = seq(oid(OID.contentType), setOf(oid(OID.tstInfo)));
  const tsaName = options.includeTsaName === false ? Buffer.alloc(0) : ctx(0, ctx(4, cert.subjectDer));
  const policyNodes = new Map([...accepted].map((p) => [p, oid(p)]));
  const signerInfoPrefix = Buffer.concat([integer(1), seq(cert.issuerDer, serialNumber), digestAlg]);
  // CertificateSet is a SET OF: DER orders its elements by encoding.
  const certificatesWith = ctx(0, ...[certificate, ...chain].map((c) => Buffer.from(c)).sort(Buffer.compare));
  const version3 = integer(3);
  const digestAlgorithms = setOf(digestAlg);
  const signedDataOid = oid(OID.signedData);
  const tstInfoOid = oid(OID.tstInfo);
  const version1 = integer(1);

  async function issue(requestBytes: Uint8Array): Promise<Buffer> {
    const request = parseTimestampRequest(requestBytes);
    const policy = request.reqPolicy ?? policyOid;
    const policyNode = policyNodes.get(policy);
    if (!policyNode) throw new TsaRejection('unacceptedPolicy', `Politique d'horodatage non acceptée : ${policy}`);
    const serial = await serials.next();
    const tstInfo = seq(version1, policyNode, request.messageImprint, integer(serial), generalizedTime(clock(), true), ACCURACY, request.nonce ?? Buffer.alloc(0), tsaName);
    const messageDigestAttr = seq(oid(OID.messageDigest), setOf(octets(digest(hash, tstInfo))));
    const signedAttrs = setOf(contentTypeAttr, messageDigestAttr, signingCertAttr);
    const signature = await signer.sign(signedAttrs, hash);
    // In the SignerInfo the attributes sit under [0] IMPLICIT: same content, tag 0xA0.
    const signerInfo = seq(signerInfoPrefix, tlv(0xa0, signedAttrs.subarray(headerSize(signedAttrs))), signatureAlg, octets(signature));
    const signedData = seq(version3, digestAlgorithms, seq(tstInfoOid, ctx(0, octets(tstInfo))), request.certReq ? certificatesWith : Buffer.alloc(0), tlv(0x31, signerInfo));
    return grantedResponse(seq(signedDataOid, ctx(0, signedData)));
  }

  return {
    certificate,
    policyOid,
    async respond(requestBytes) {
      try {
        return await issue(requestBytes);
      } catch (error) {
        if (error instanceof TsaRejection) return rejectionResponse(error.failInfo, error.message);
        // Keep internals (and anything secret) out of the reply: the caller logs the error.
        options.onError?.(error);
        return rejectionResponse('systemFailure', "Service d'horodatage momentanément indisponible");
      }
    },
  };
}

/** RFC 3161 §2.3: exactly one extended key usage, timeStamping, critical. */
function assertTimestampingCertificate(der: Uint8Array): void {
  const eku = parseCertificate(der).extKeyUsage;
  if (!eku || !eku.critical || eku.oids.length !== 1 || eku.oids[0] !== OID.timeStamping) {
    throw new PkiError('TSA_CERTIFICATE_INVALID', "Le certificat de l'autorité d'horodatage doit porter l'unique usage étendu timeStamping, marqué critique.");
  }
}
