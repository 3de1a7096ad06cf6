import crypto from 'node:crypto';
import { children, expectTag, parseDer, readOid, type Node } from './der.ts';

/** The raw pieces of a certificate that CMS, CRLs and OCSP responses copy verbatim. */
export interface CertificateFields {
  der: Buffer;
  /** Encoded INTEGER of the serial number. */
  serialNumber: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** Content of the subjectPublicKey BIT STRING (without the unused-bits octet). */
  publicKey: Buffer;
  /** Subject key identifier from the extension, else the SHA-1 of the public key (RFC 5280 method 1). */
  keyIdentifier: Buffer;
}

export function certificateFields(der: Uint8Array): CertificateFields {
  const cert = parseDer(der);
  const tbs = expectTag(children(cert)[0], 0x30, 'tbsCertificate');
  const parts = children(tbs);
  const base = parts[0]?.tag === 0xa0 ? 1 : 0;
  const at = (i: number, what: string): Node => {
    const node = parts[base + i];
    if (!node) throw new Error(`Certificat incomplet : ${what} absent`);
    return node;
  };
  const spki = children(expectTag(at(5, 'subjectPublicKeyInfo'), 0x30, 'subjectPublicKeyInfo'));
  const publicKey = expectTag(spki[1], 0x03, 'subjectPublicKey').content.subarray(1);
  let keyIdentifier: Buffer | null = null;
  const extensions = parts.find((p) => p.tag === 0xa3);
  if (extensions) {
    for (const ext of children(expectTag(children(extensions)[0], 0x30, 'extensions'))) {
      const fields = children(ext);
      if (readOid(fields[0]) !== '2.5.29.14') continue;
      const value = fields[fields.length - 1]!;
      keyIdentifier = Buffer.from(parseDer(value.content).content);
    }
  }
  return {
    der: Buffer.from(cert.raw),
    serialNumber: Buffer.from(expectTag(at(0, 'serialNumber'), 0x02, 'serialNumber').raw),
    issuer: Buffer.from(at(2, 'issuer').raw),
    subject: Buffer.from(at(4, 'subject').raw),
    publicKey: Buffer.from(publicKey),
    keyIdentifier: keyIdentifier ?? crypto.createHash('sha1').update(publicKey).digest(),
  };
}
