/**
 * The PKI's public services over the engine's store: the TSA unit, CRLs, CA
 * certificates and OCSP answers. api/routes/pki.ts serves them over HTTP.
 */
import type { PkiStore } from './stores.ts';
import type { SecretOptions } from './secret.ts';
import type { KeyType } from './keys.ts';
import { loadServiceSigner } from './service-keys.ts';
import { createTimestampAuthority, type TimestampAuthority } from './tsa/authority.ts';
import { createSerialAllocator } from './tsa/serials.ts';
import { rejectionResponse } from './tsa/response.ts';
import { createRevocationService, type RevocationService } from './revocation/service.ts';
import { engineCaLoader } from './revocation/issuing-ca.ts';

/** What the HTTP routes serve; each part is optional so a test can mount one. */
export interface PkiServices {
  /** Answers POST /tsa. */
  tsa?: Pick<TimestampAuthority, 'respond'>;
  /** Answers /pki/crl, /pki/ca and /pki/ocsp. */
  revocation?: RevocationService;
}

export interface EnginePkiOptions extends SecretOptions {
  /** nextUpdate − thisUpdate of the CRLs (default 24 h). */
  crlPeriodSeconds?: number;
  /** nextUpdate − thisUpdate of OCSP answers (default 1 h). */
  ocspValiditySeconds?: number;
  /** TSA serials reserved per database round trip (default 1000). */
  tsaSerialBlock?: number;
  /** Key type of the TSA unit and OCSP responder keys when first created (default rsa2048). */
  serviceKeyType?: KeyType;
  /** Sign OCSP answers with a delegated responder per CA (default) or with the CA key itself. */
  delegatedOcsp?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * The PKI services over the engine's store: CAs, revocations, the TSA unit and
 * the OCSP responders from `passeport pki init` (service keys are issued on first
 * use). Nothing is loaded before the first request, so the server starts even
 * before the PKI is initialised.
 */
export function enginePkiServices(store: PkiStore, options: EnginePkiOptions = {}): Required<PkiServices> & { warmUp(): Promise<void> } {
  const secret: SecretOptions = { ...(options.secret ? { secret: options.secret } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) };
  const serviceOptions = { ...secret, ...(options.serviceKeyType ? { keyType: options.serviceKeyType } : {}) };
  const revocation = createRevocationService(store, {
    loadCa: engineCaLoader(store, secret),
    ...(options.delegatedOcsp === false
      ? {}
      : { loadResponder: async (caName: string) => (caName === 'root' ? undefined : loadServiceSigner(store, `ocsp-${caName}` as 'ocsp-rgs1', serviceOptions)) }),
    ...(options.crlPeriodSeconds ? { crlPeriodSeconds: options.crlPeriodSeconds } : {}),
    ...(options.ocspValiditySeconds ? { ocspValiditySeconds: options.ocspValiditySeconds } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let authority: Promise<TimestampAuthority> | null = null;
  const loadAuthority = (): Promise<TimestampAuthority> =>
    (authority ??= loadServiceSigner(store, 'tsa', serviceOptions).then((signer) =>
      createTimestampAuthority({
        signer,
        serials: createSerialAllocator(store, { blockSize: options.tsaSerialBlock ?? 1000 }),
        ...(options.onError ? { onError: options.onError } : {}),
      }),
    ));
  const tsa = {
    async respond(request: Uint8Array): Promise<Buffer> {
      try {
        return await (await loadAuthority()).respond(request);
      } catch (error) {
        authority = null;
        options.onError?.(error);
        return rejectionResponse('systemFailure', "Service d'horodatage indisponible : PKI non initialisée ou clé inaccessible");
      }
    },
  };
  async function warmUp(): Promise<void> {
    try {
      await loadAuthority();
    } catch (error) {
      authority = null;
      throw error;
    }
    await revocation.warmUp();
  }
  return { tsa, revocation, warmUp };
}
