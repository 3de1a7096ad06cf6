import type { Signer } from '../types.ts';
import type { PkiStore, PublishedCrl } from '../stores.ts';
import { currentCrl } from './crl.ts';
import { createOcspResponder, statusOnly, type CertificateStatus, type OcspAuthority, type OcspResponder } from './ocsp.ts';
import type { CaLoader } from './issuing-ca.ts';

export interface RevocationServiceOptions {
  loadCa: CaLoader;
  /** Delegated OCSP responder of a CA, if it has one (else the CA signs its answers). */
  loadResponder?: (caName: string) => Promise<Signer | undefined>;
  crlPeriodSeconds?: number;
  ocspValiditySeconds?: number;
  onError?: (error: unknown) => void;
}

/** What the HTTP routes serve: CA certificates, current CRLs, OCSP answers. */
export interface RevocationService {
  caCertificate(caName: string): Promise<Uint8Array>;
  crl(caName: string): Promise<PublishedCrl>;
  ocsp(request: Uint8Array): Promise<Buffer>;
  /** Loads the CAs and OCSP responders now rather than on the first request; rejects if the PKI is not ready. */
  warmUp(): Promise<void>;
}

/** Status of a certificate from the store: revoked, else good if issued, else unknown. */
export async function certificateStatus(store: PkiStore, caName: string, serialHex: string): Promise<CertificateStatus> {
  const revocation = await store.findRevocation(caName, serialHex);
  if (revocation) return { status: 'revoked', revokedAt: revocation.revokedAt, reason: revocation.reason };
  return (await store.findIssuedCertificate(caName, serialHex)) ? { status: 'good' } : { status: 'unknown' };
}

export function createRevocationService(store: PkiStore, options: RevocationServiceOptions): RevocationService {
  let responder: Promise<OcspResponder> | null = null;

  async function buildResponder(): Promise<OcspResponder> {
    const names = (await store.listCas()).map((ca) => ca.name);
    const authorities: OcspAuthority[] = [];
    for (const name of names) {
      const ca = await options.loadCa(name);
      const delegate = await options.loadResponder?.(name);
      authorities.push(delegate ? { ca, responder: delegate } : { ca });
    }
    return createOcspResponder({
      authorities,
      status: (caName, serialHex) => certificateStatus(store, caName, serialHex),
      ...(options.ocspValiditySeconds ? { validitySeconds: options.ocspValiditySeconds } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  return {
    async caCertificate(caName) {
      return (await options.loadCa(caName)).certificate;
    },
    async crl(caName) {
      const ca = await options.loadCa(caName);
      return currentCrl(store, ca, options.crlPeriodSeconds ? { periodSeconds: options.crlPeriodSeconds } : {});
    },
    async warmUp() {
      responder ??= buildResponder();
      try {
        await responder;
      } catch (error) {
        responder = null;
        throw error;
      }
    },
    async ocsp(request) {
      try {
        responder ??= buildResponder();
        return await (await responder).respond(request);
      } catch (error) {
        // PKI not initialised yet, or a CA key unavailable: try again on the next request.
        responder = null;
        options.onError?.(error);
        return statusOnly('tryLater');
      }
    },
  };
}
