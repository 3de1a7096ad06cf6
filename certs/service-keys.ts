import type { Signer } from './types.ts';
import type { CaName } from './profiles.ts';
import type { KeyType } from './keys.ts';
import { issueCertificate } from './issue.ts';
import { resolveMasterSecret, sealPrivateKey, unsealPrivateKey, type SecretOptions } from './secret.ts';
import type { PkiStore } from './stores.ts';
import { caCertificateWithChain } from './ca.ts';
import { softwareSigner } from './signers.ts';
import { PkiError } from './errors.ts';

/**
 * Server-side keys of the engine's own services: the TSA unit and delegated OCSP
 * responders. Their private keys are sealed in the database like the CA keys.
 */
export type ServiceName = 'tsa' | `ocsp-${Exclude<CaName, 'root'>}`;

export interface ServiceSigner extends Signer {
  readonly service: ServiceName;
  readonly caName: CaName;
  readonly serial: string;
}

export interface ServiceSignerOptions extends SecretOptions {
  /** Key type when the service key is created. Default rsa2048 (fastest native signing). */
  keyType?: KeyType;
  /** Create (issue) the service certificate when none exists. Default true. */
  create?: boolean;
}

function parseService(service: string): { profile: 'tsa' | 'ocsp-responder'; caName: Exclude<CaName, 'root'> } {
  if (service === 'tsa') return { profile: 'tsa', caName: 'tsa' };
  const match = /^ocsp-(rgs1|rgs2|rgs3|seal|tsa)$/.exec(service);
  if (!match) throw new PkiError('UNKNOWN_SERVICE', `Service inconnu « ${service} » : tsa ou ocsp-<AC>.`);
  return { profile: 'ocsp-responder', caName: match[1] as Exclude<CaName, 'root'> };
}

/** The signer of a service (TSA unit or OCSP responder), issuing its certificate the first time. */
export async function loadServiceSigner(store: PkiStore, service: ServiceName, options: ServiceSignerOptions = {}): Promise<ServiceSigner> {
  const { profile, caName } = parseService(service);
  const secret = resolveMasterSecret(options);
  let record = await store.findServiceKey(service);
  if (!record) {
    if (options.create === false) throw new PkiError('SERVICE_KEY_MISSING', `Aucune clé pour le service « ${service} » : lancer « passeport pki init ».`);
    const issued = await issueCertificate(store, {
      profile,
      caName,
      subject: {},
      key: { store: 'software', type: options.keyType ?? 'rsa2048', location: `server:${service}` },
      secret: { secret },
    });
    const sealedKey = await sealPrivateKey(issued.privateKey!, secret, `service:${service}`);
    // Two instances starting together: the first one's key wins, the other reads it back.
    await store.insertServiceKey({ name: service, caName: issued.caName, serial: issued.serial, keyType: issued.keyType, sealedKey });
    record = await store.findServiceKey(service);
  }
  const cert = record && (await store.findIssuedCertificate(record.caName, record.serial));
  if (!record || !cert) throw new PkiError('SERVICE_KEY_MISSING', `Certificat du service « ${service} » introuvable.`);
  const key = await unsealPrivateKey(record.sealedKey, secret, `service:${service}`);
  const chain = await caCertificateWithChain(store, cert.caName);
  return { ...softwareSigner(key, cert.der, chain), service, caName: cert.caName, serial: cert.serial };
}
