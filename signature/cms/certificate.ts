import { createHash } from 'node:crypto';
import { children, readTlv, slice } from '../../certs/validation/der.ts';

/** What the CMS needs from a certificate, read once per signer. */
export interface CertificateFacts {
  der: Uint8Array;
  issuer: Uint8Array;
  serial: Uint8Array;
  subject: Uint8Array;
  /** The SubjectPublicKeyInfo algorithm OID's DER body, to guess the key type. */
  spki: Uint8Array;
}

const cache = new WeakMap<Uint8Array, CertificateFacts>();

export function certificateFacts(der: Uint8Array): CertificateFacts {
  const hit = cache.get(der);
  if (hit) return hit;
  const cert = readTlv(der, 0);
  const tbs = children(der, cert)[0];
  if (!tbs) throw new Error('Certificat illisible.');
  const f = children(der, tbs);
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, , subject, spki] = f.slice(i);
  if (!serial || !issuer || !subject || !spki) throw new Error('Certificat illisible.');
  const facts = { der, serial: slice(der, serial), issuer: slice(der, issuer), subject: slice(der, subject), spki: slice(der, spki) };
  cache.set(der, facts);
  return facts;
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
