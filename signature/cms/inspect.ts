import { OID } from './algorithms.ts';
import { certificateFacts } from './certificate.ts';
import { children, readTlv, slice, type Tlv } from '../../certs/validation/der.ts';

export interface CmsContents {
  certificates: Uint8Array[];
  /** The signer's certificate, when the CMS carries it. */
  signer?: Uint8Array;
  /** signature-time-stamp tokens found in the unsigned attributes. */
  timestampTokens: Uint8Array[];
}

const oidHex = (dotted: string): string => {
  const parts = dotted.split('.').map(Number);
  const body: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    body.push(...chunk);
  }
  return Buffer.from(body).toString('hex');
};
const TIMESTAMP_ATTR = oidHex(OID.signatureTimeStamp);

/** Reads the certificates, signer and timestamp tokens of a CMS ContentInfo (or a TimeStampToken). */
export function inspectCms(der: Uint8Array): CmsContents {
  const ci = readTlv(der, 0);
  const explicit = children(der, ci)[1];
  const sdEl = explicit && children(der, explicit)[0];
  if (!sdEl) throw new Error('CMS illisible.');
  const parts = children(der, sdEl);
  const certificates: Uint8Array[] = [];
  let signerInfos: Tlv | undefined;
  for (const p of parts.slice(3)) {
    if (p.tag === 0xa0) for (const c of children(der, p)) if (c.tag === 0x30) certificates.push(slice(der, c));
    if (p.tag === 0x31) signerInfos = p;
  }
  const out: CmsContents = { certificates, timestampTokens: [] };
  const si = signerInfos && children(der, signerInfos)[0];
  if (!si) return out;
  const fields = children(der, si);
  const sid = fields[1];
  if (sid?.tag === 0x30) {
    const [issuer, serial] = children(der, sid);
    if (issuer && serial) {
      const iss = Buffer.from(slice(der, issuer));
      const ser = Buffer.from(slice(der, serial));
      const signer = certificates.find((c) => {
        const f = certificateFacts(c);
        return iss.equals(f.issuer) && ser.equals(f.serial);
      });
      if (signer) out.signer = signer;
    }
  }
  const unsigned = fields.find((f) => f.tag === 0xa1);
  if (unsigned) {
    for (const attr of children(der, unsigned)) {
      const [type, values] = children(der, attr);
      if (!type || !values) continue;
      if (Buffer.from(der.subarray(type.contentStart, type.end)).toString('hex') !== TIMESTAMP_ATTR) continue;
      for (const v of children(der, values)) out.timestampTokens.push(slice(der, v));
    }
  }
  return out;
}

/** The certificates a DER OCSPResponse carries (delegated responder and its chain). */
export function ocspCertificates(der: Uint8Array): Uint8Array[] {
  try {
    const resp = readTlv(der, 0);
    const bytesEl = children(der, resp)[1];
    const rb = bytesEl && children(der, bytesEl)[0];
    const octet = rb && children(der, rb)[1];
    if (!octet) return [];
    const basic = readTlv(der, octet.contentStart);
    const certsEl = children(der, basic).find((e) => e.tag === 0xa0);
    const list = certsEl && children(der, certsEl)[0];
    return list ? children(der, list).map((c) => slice(der, c)) : [];
  } catch {
    return [];
  }
}
