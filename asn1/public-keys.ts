import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Asn1Error } from './errors.ts';
import { Memo } from './memo.ts';
import { parse, type Node } from './reader.ts';

/**
 * SubjectPublicKeyInfo → KeyObject. OpenSSL 3's DER decoders cost about 190 µs per
 * key; the same RSA key given as its JWK numbers imports in under 10 µs, a P-256
 * point in half the time. Anything else, or anything unusual, goes through the DER
 * path, which stays the judge of what is acceptable — once the bytes are known to be
 * exactly one DER element (OpenSSL would ignore bytes after it).
 */
export function importSpki(spki: Uint8Array): KeyObject {
  return imported.get(Buffer.from(spki.buffer, spki.byteOffset, spki.length).toString('latin1'), () => {
    let outer: Node;
    try {
      outer = parse(spki);
    } catch (error) {
      throw new Asn1Error('UNSUPPORTED_ALGORITHM', `clé publique illisible : ${(error as Error).message}`, { cause: error });
    }
    const jwk = asJwk(spki, outer);
    if (jwk) {
      try {
        return createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        // fall through: the DER decoder gives the reason
      }
    }
    try {
      return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch (error) {
      throw new Asn1Error('UNSUPPORTED_ALGORITHM', `clé publique illisible : ${(error as Error).message}`, { cause: error });
    }
  });
}

/** Imported keys are a pure function of their bytes: shared by every check, forgotten with the other memories. */
const imported = new Memo<KeyObject>(2000);

// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) 04‖X‖Y }
const P256_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

function asJwk(spki: Uint8Array, outer: Node): JsonWebKey | undefined {
  if (spki.length === 91 && spki[26] === 0x04 && P256_PREFIX.equals(spki.subarray(0, 26))) {
    return { kty: 'EC', crv: 'P-256', x: b64url(spki.subarray(27, 59)), y: b64url(spki.subarray(59, 91)) };
  }
  try {
    return rsaJwk(outer);
  } catch {
    return undefined;
  }
}

function rsaJwk(outer: Node): JsonWebKey | undefined {
  const [algorithm, bits, extra] = outer.children;
  if (outer.tag !== 0x30 || !algorithm || !bits || extra || bits.tag !== 0x03) return undefined;
  if (!RSA_ALGORITHM.equals(algorithm.raw)) return undefined;
  const sequence = parse(bits.bits());
  const [n, e, more] = sequence.children;
  if (sequence.tag !== 0x30 || !n || !e || more) return undefined;
  const modulus = positiveInteger(n);
  const exponent = positiveInteger(e);
  if (!modulus || !exponent) return undefined;
  return { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) };
}

/** The magnitude of a minimally encoded positive INTEGER, or undefined. */
function positiveInteger(node: Node): Uint8Array | undefined {
  if (node.tag !== 0x02) return undefined;
  const value = node.content;
  if (value.length === 0 || value[0]! & 0x80) return undefined;
  if (value[0] === 0) {
    if (value.length === 1 || !(value[1]! & 0x80)) return undefined;
    return value.subarray(1);
  }
  return value;
}

const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
