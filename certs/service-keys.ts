import type { Sql } from '../db/connect.ts';
import type { Signer } from './types.ts';
import type { CaName } from './profiles.ts';
import type { KeyType } from './keys.ts';
import { issueCertificate } from './issue.ts';
import { resolveMasterSecret, sealPrivateKey, unsealPrivateKey, type SecretOptions } from './secret.ts';
import { findIssuedCertificate } from './ca-store.ts';
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

interface ServiceRow {
  ca_name: string; serial: string; key_ciphertext: Uint8Array; key_salt: Uint8Array; key_iv: Uint8Array; key_tag: Uint8Array;
}

function parseService(service: string): { profile: 'tsa' | 'ocsp-responder'; caName: Exclude<CaName, 'root'> } {
  if (service === 'tsa') return { profile: 'tsa', caName: 'tsa' };
  const match = /^ocsp-(rgs1|rgs2|rgs3|seal|tsa)$/.exec(service);
  if (!match) throw new PkiError('UNKNOWN_SERVICE', `Service inconnu « ${service} » : tsa ou ocsp-<AC>.`);
  return { profile: 'ocsp-responder', caName: match[1] as Exclude<CaName, 'root'> };
}

/** The signer of a service (TSA unit or OCSP responder), issuing its certificate the first time. */
export async function loadServiceSigner(sql: Sql, service: ServiceName, options: ServiceSignerOptions = {}): Promise<ServiceSigner> {
  const { profile, caName } = parseService(service);
  const secret = resolveMasterSecret(options);
  let rows = await sql<ServiceRow[]>`select ca_name, serial, key_ciphertext, key_salt, key_iv, key_tag from pki_service_key where name = ${service}`;
  if (rows.length === 0) {
    if (options.create === false) throw new PkiError('SERVICE_KEY_MISSING', `Aucune clé pour le service « ${service} » : lancer « passeport pki init ».`);
    const issued = await issueCertificate(sql, {
      profile, caName, subject: {}, key: { store: 'software', type: options.keyType ?? 'rsa2048', location: `server:${service}` }, secret: { secret },
    });
    const sealed = await sealPrivateKey(issued.privateKey!, secret, `service:${service}`);
    // Two instances starting together: the first one's key wins, the other reads it back.
    await sql`insert into pki_service_key (name, ca_name, serial, key_type, key_ciphertext, key_salt, key_iv, key_tag)
      values (${service}, ${issued.caName}, ${issued.serial}, ${issued.keyType}, ${Buffer.from(sealed.ciphertext)},
        ${Buffer.from(sealed.salt)}, ${Buffer.from(sealed.iv)}, ${Buffer.from(sealed.tag)})
      on conflict (name) do nothing`;
    rows = await sql<ServiceRow[]>`select ca_name, serial, key_ciphertext, key_salt, key_iv, key_tag from pki_service_key where name = ${service}`;
  }
  const row = rows[0]!;
  const cert = await findIssuedCertificate(sql, row.ca_name, row.serial);
  if (!cert) throw new PkiError('SERVICE_KEY_MISSING', `Certificat du service « ${service} » introuvable.`);
  const key = await unsealPrivateKey({ ciphertext: row.key_ciphertext, salt: row.key_salt, iv: row.key_iv, tag: row.key_tag }, secret, `service:${service}`);
  const chain = await caCertificateWithChain(sql, cert.caName);
  return { ...softwareSigner(key, cert.der, chain), service, caName: cert.caName, serial: cert.serial };
}
