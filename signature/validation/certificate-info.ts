import crypto from 'node:crypto';
import { parseName } from '../../certs/validation/names.ts';
import { UnsupportedAlgorithmError, verifySignedDataCached } from '../../certs/validation/crypto.ts';
import { importSpki } from '../../certs/validation/public-keys.ts';
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
  spki: Uint8Array;
  publicKey: crypto.KeyObject;
}

/**
 * Certificates read during one file's verification: the same CA and TSA
 * certificates recur in every CMS of a file, so each is parsed once. Whether a
 * certificate's signature holds is asked of certs/validation's memory, which the
 * chain validation fills too: each certificate signature is checked once.
 */
export class CertificateCache {
  /** By content; `seen` finds the same array again without re-reading it (one verification's lifetime). */
  private readonly infos = new Map<string, CertificateInfo>();
  private readonly seen = new WeakMap<Uint8Array, CertificateInfo>();
  private readonly intact = new Map<CertificateInfo, boolean>();

  info(der: Uint8Array): CertificateInfo {
    let hit = this.seen.get(der);
    if (hit) return hit;
    const key = Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1');
    hit = this.infos.get(key);
    if (!hit) {
      hit = certificateInfo(der);
      this.infos.set(key, hit);
    }
    this.seen.set(der, hit);
    return hit;
  }

  /** Whether the certificate is well formed and its signature verifies with one of the candidate issuer keys (SPKI DER). */
  verifiesWith(der: Uint8Array, issuerKeys: () => Iterable<Uint8Array>): boolean {
    const info = this.info(der);
    let ok = this.intact.get(info);
    if (ok === undefined) {
      ok = intactCertificate(info.der, issuerKeys);
      this.intact.set(info, ok);
    }
    return ok;
  }
}

function intactCertificate(der: Uint8Array, issuerKeys: () => Iterable<Uint8Array>): boolean {
  const { node, end } = parseDer(der);
  const tbsNode = child(node, 0);
  const algorithm = child(node, 1);
  const bits = child(node, 2);
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
  if (!wellFormed) return false;
  const sigAlg = { oid: oid(child(algorithm, 0)), ...(algorithm.children[1] ? { params: algorithm.children[1] } : {}) };
  const signature = bits.value.subarray(1);
  for (const spki of issuerKeys()) {
    if (signatureHolds(spki, sigAlg, tbsNode.raw, signature)) return true;
  }
  return false;
}

/** Through the shared memory when certs/validation knows the algorithm; by hand otherwise (unusual PSS parameters). */
function signatureHolds(spki: Uint8Array, algorithm: { oid: string; params?: Tlv }, tbs: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifySignedDataCached(spki, { oid: algorithm.oid, ...(algorithm.params ? { params: algorithm.params.raw } : {}) }, tbs, signature);
  } catch (error) {
    if (!(error instanceof UnsupportedAlgorithmError)) return false;
  }
  try {
    return verifySignatureValue(importSpki(spki), algorithm, 'sha256', tbs, signature) === true;
  } catch {
    return false;
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
  // Names are only shown for signers, keys only used for signatures: both are read on demand.
  return {
    der,
    issuerDer: issuerNode.raw,
    subjectDer: subjectNode.raw,
    serial: serialNode.value,
    serialHex: hex(serialNode.value).replace(/^00(?=[89a-f])/, ''),
    get subject() {
      return nameText(subjectNode.raw);
    },
    get issuer() {
      return nameText(issuerNode.raw);
    },
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier } : {}),
    nonRepudiation,
    policies,
    spki,
    get publicKey() {
      return importSpki(spki);
    },
  };
}

/** « CN=…, O=…, C=FR » (RFC 4514 order); an unreadable name is shown as such rather than failing the report. */
function nameText(der: Uint8Array): string {
  try {
    return parseName(der).text;
  } catch {
    return 'nom illisible';
  }
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
