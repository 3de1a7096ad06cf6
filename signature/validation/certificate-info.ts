import crypto from 'node:crypto';
import { child, hex, isContext, octets, oid, parseDer, type Tlv } from './der.ts';

/** What the verifier needs to know about a certificate, read once from its DER. */
export interface CertificateInfo {
  der: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  serial: Uint8Array;
  serialHex: string;
  subject: string;
  issuer: string;
  subjectKeyIdentifier?: Uint8Array;
  nonRepudiation: boolean | undefined;
  policies: string[];
  publicKey: crypto.KeyObject;
}

/**
 * Certificates read during one file's verification: the same CA and TSA
 * certificates recur in every CMS of a file, so each is parsed and checked once.
 * Scoped to one verification, so figures per file stay honest.
 */
export class CertificateCache {
  private readonly infos = new Map<string, CertificateInfo>();
  private readonly intact = new Map<string, boolean>();

  info(der: Uint8Array): CertificateInfo {
    const key = Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1');
    let hit = this.infos.get(key);
    if (!hit) {
      hit = certificateInfo(der);
      this.infos.set(key, hit);
    }
    return hit;
  }

  /** Whether the certificate's signature verifies with one of `keys` (memoised per certificate). */
  verifiesWith(der: Uint8Array, keys: () => crypto.KeyObject[]): boolean {
    const key = Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1');
    let ok = this.intact.get(key);
    if (ok === undefined) {
      // By hand rather than X509Certificate.verify, which costs milliseconds per call in Node 20.
      const { node, end } = parseDer(der);
      const tbsNode = child(node, 0);
      const tbs = tbsNode.raw;
      const algorithm = child(node, 1);
      const sigAlg = { oid: oid(child(algorithm, 0)), ...(algorithm.children[1] ? { params: algorithm.children[1] } : {}) };
      const bits = child(node, 2);
      const signature = bits.value.subarray(1);
      // RFC 5280: the outer algorithm repeats the signed one exactly; nothing else is unsigned.
      const innerAlgorithm = tbsNode.children[isContext(tbsNode.children[0], 0) ? 2 : 1];
      const wellFormed =
        end === der.length &&
        node.children.length === 3 &&
        bits.cls === 0 &&
        bits.tag === 3 &&
        bits.value[0] === 0 &&
        innerAlgorithm !== undefined &&
        Buffer.from(innerAlgorithm.raw).equals(algorithm.raw);
      ok = wellFormed && keys().some((k) => verifySignatureValue(k, sigAlg, 'sha256', tbs, signature) === true);
      this.intact.set(key, ok);
    }
    return ok;
  }
}

/** Reads a certificate. */
export function certificateInfo(der: Uint8Array): CertificateInfo {
  const { node } = parseDer(der);
  const tbs = child(node, 0);
  let i = isContext(tbs.children[0], 0) ? 1 : 0;
  const serialNode = child(tbs, i++);
  i++; // signature algorithm
  const issuerNode = child(tbs, i++);
  i++; // validity
  const subjectNode = child(tbs, i++);
  i++; // subjectPublicKeyInfo
  let subjectKeyIdentifier: Uint8Array | undefined;
  let nonRepudiation: boolean | undefined;
  const policies: string[] = [];
  const extWrap = tbs.children.find((c) => isContext(c, 3));
  for (const ext of extWrap?.children[0]?.children ?? []) {
    const id = oid(child(ext, 0));
    const value = octets(ext.children[ext.children.length - 1]!);
    const inner = parseDer(value).node;
    if (id === '2.5.29.14') subjectKeyIdentifier = inner.value;
    if (id === '2.5.29.15') nonRepudiation = ((inner.value[1] ?? 0) & 0x40) !== 0;
    if (id === '2.5.29.32') for (const p of inner.children) policies.push(oid(child(p, 0)));
  }
  const spki = child(tbs, i - 1).raw;
  let x509: crypto.X509Certificate | undefined;
  const names = (): crypto.X509Certificate => (x509 ??= new crypto.X509Certificate(der));
  let publicKey: crypto.KeyObject | undefined;
  // Names are only shown for signers, keys only used for signatures: both are read on demand.
  return {
    der,
    issuerDer: issuerNode.raw,
    subjectDer: subjectNode.raw,
    serial: serialNode.value,
    serialHex: hex(serialNode.value).replace(/^00(?=[89a-f])/, ''),
    get subject() {
      return names().subject.split('\n').join(', ');
    },
    get issuer() {
      return names().issuer.split('\n').join(', ');
    },
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier } : {}),
    nonRepudiation,
    policies,
    get publicKey() {
      return (publicKey ??= crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
    },
  };
}

const RSA_PKCS1: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA: Record<string, string> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * Verifies a signature value with native crypto. `digestAlgorithm` is the
 * SignerInfo's, used when the signature algorithm does not name its own hash.
 * Returns a reason string when the algorithm is not supported.
 */
export function verifySignatureValue(
  key: crypto.KeyObject,
  algorithm: { oid: string; params?: Tlv },
  digestAlgorithm: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean | { unsupported: string } {
  const a = algorithm.oid;
  try {
    if (a === '1.2.840.113549.1.1.1') return crypto.verify(digestAlgorithm, data, key, signature);
    if (RSA_PKCS1[a]) return crypto.verify(RSA_PKCS1[a], data, key, signature);
    if (ECDSA[a]) return crypto.verify(ECDSA[a], data, key, signature);
    if (a === '1.2.840.10045.2.1') return crypto.verify(digestAlgorithm, data, key, signature);
    if (a === '1.3.101.112') return crypto.verify(null, data, key, signature);
    if (a === '1.2.840.113549.1.1.10') {
      let hash = 'sha1';
      let mgfHash = 'sha1';
      let saltLength = 20;
      for (const p of algorithm.params?.children ?? []) {
        const inner = p.children[0];
        if (!inner) continue;
        if (p.tag === 0) hash = HASHES[oid(child(inner, 0))] ?? 'unknown';
        if (p.tag === 1) mgfHash = HASHES[oid(child(child(inner, 1), 0))] ?? 'unknown';
        if (p.tag === 2) saltLength = Number(BigInt(`0x${hex(inner.value) || '0'}`));
      }
      if (hash !== mgfHash || hash === 'unknown') return { unsupported: 'RSASSA-PSS avec une fonction MGF1 différente du hachage' };
      return crypto.verify(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
  } catch {
    return false;
  }
  return { unsupported: `algorithme de signature non pris en charge (${a})` };
}
