import { OID, parse, parseCertificate, sameBytes, type Node } from '../../asn1/index.ts';

export interface CmsContents {
  certificates: Uint8Array[];
  /** The signer's certificate, when the CMS carries it. */
  signer?: Uint8Array;
  /** signature-time-stamp tokens found in the unsigned attributes. */
  timestampTokens: Uint8Array[];
}

/**
 * Reads the certificates, signer and timestamp tokens of a CMS ContentInfo (or a
 * TimeStampToken), as BER: earlier signatures may come from other software.
 */
export function inspectCms(der: Uint8Array): CmsContents {
  const parts = parse(der, { ber: true }).child(1, 'contenu CMS').child(0, 'SignedData').items('SignedData');
  const certificates: Uint8Array[] = [];
  let signerInfos: Node | undefined;
  for (const p of parts.slice(3)) {
    if (p.tag === 0xa0) for (const c of p.children) if (c.tag === 0x30) certificates.push(c.raw);
    if (p.tag === 0x31) signerInfos = p;
  }
  const out: CmsContents = { certificates, timestampTokens: [] };
  const si = signerInfos?.at(0);
  if (!si) return out;
  const [, sid] = si.children;
  if (sid?.tag === 0x30) {
    const [issuer, serial] = sid.children;
    if (issuer && serial) {
      const signer = certificates.find((c) => {
        const cert = parseCertificate(c);
        return sameBytes(cert.issuerDer, issuer.raw) && sameBytes(cert.serialBytes, serial.content);
      });
      if (signer) out.signer = signer;
    }
  }
  const unsigned = si.children.find((f) => f.tag === 0xa1);
  for (const attr of unsigned?.children ?? []) {
    const [type, values] = attr.children;
    if (type?.tag !== 0x06 || !values || type.oid() !== OID.signatureTimeStamp) continue;
    for (const v of values.children) out.timestampTokens.push(v.raw);
  }
  return out;
}

/** The certificates a DER OCSPResponse carries (delegated responder and its chain). */
export function ocspCertificates(der: Uint8Array): Uint8Array[] {
  try {
    const basic = parse(parse(der).child(1, 'responseBytes').child(0, 'responseBytes').child(1, 'réponse').octets('réponse'));
    const list = basic.children.find((e) => e.tag === 0xa0)?.at(0);
    return list ? list.children.map((c) => c.raw) : [];
  } catch {
    return [];
  }
}
