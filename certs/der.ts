import crypto from 'node:crypto';
import { x509 } from './x509.ts';
import { PkiError } from './errors.ts';


const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** DER → PEM with the given label ("CERTIFICATE", "X509 CRL"…). */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Every PEM block of `text` with the given label, as DER. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (match[1] !== label) continue;
    const body = (match[2] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) {
      throw new PkiError('MALFORMED_PEM', `Bloc PEM « ${label} » illisible : base64 invalide.`);
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return out;
}

function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

/** Accepts PEM text or bytes, or DER bytes; returns the DER of one certificate. */
export function certificateDer(input: Uint8Array | string): Uint8Array {
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    const blocks = pemBlocks(text, 'CERTIFICATE');
    if (blocks.length === 0) throw new PkiError('MALFORMED_PEM', 'Aucun bloc « CERTIFICATE » dans le texte PEM fourni.');
    return blocks[0]!;
  }
  return input;
}

/** Parses one certificate (PEM or DER) or fails with a precise French error. */
export function parseCertificate(input: Uint8Array | string): x509.X509Certificate {
  const der = certificateDer(input);
  if (der.length < 16 || der[0] !== 0x30) {
    throw new PkiError('MALFORMED_CERTIFICATE', 'Certificat illisible : ce n’est pas une structure DER (SEQUENCE attendue).');
  }
  try {
    const cert = new x509.X509Certificate(new Uint8Array(der));
    // Forces the lazy parts to be decoded now, so a damaged body fails here.
    void cert.subject;
    void cert.serialNumber;
    void cert.extensions.length;
    return cert;
  } catch (cause) {
    throw new PkiError('MALFORMED_CERTIFICATE', 'Certificat illisible : DER invalide ou tronqué.', { cause });
  }
}

/** Parses every certificate of a PEM bundle (or a single DER certificate). */
export function parseCertificates(input: Uint8Array | string): x509.X509Certificate[] {
  if (typeof input !== 'string' && !looksLikePem(input)) return [parseCertificate(input)];
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const blocks = pemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0) throw new PkiError('MALFORMED_PEM', 'Aucun bloc « CERTIFICATE » dans le texte PEM fourni.');
  return blocks.map((der) => parseCertificate(der));
}

/** Parses a PKCS#8 private key (PEM or DER) or fails with a precise French error. */
export function parsePrivateKey(input: Uint8Array | string): crypto.KeyObject {
  try {
    if (typeof input === 'string' || looksLikePem(input)) return crypto.createPrivateKey(typeof input === 'string' ? input : Buffer.from(input));
    return crypto.createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new PkiError('MALFORMED_KEY', 'Clé privée illisible : PKCS#8 (PEM ou DER) attendu.', { cause });
  }
}

export function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}
