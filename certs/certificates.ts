/**
 * Certificates and keys as people hand them to the PKI (PEM or DER files, CLI
 * arguments): read with asn1/, refused with a PkiError code the CLI shows.
 */
import crypto from 'node:crypto';
import { Asn1Error, parseCertificate, pemOrDerToDerList, type ParsedCertificate } from '../asn1/index.ts';
import { PkiError } from './errors.ts';

/** The DER of every certificate of a PEM bundle, or the DER given (checked to be one DER element). */
export function certificateDerList(input: Uint8Array | string): Uint8Array[] {
  try {
    return pemOrDerToDerList(input, { label: 'CERTIFICATE' });
  } catch (error) {
    if (!(error instanceof Asn1Error)) throw error;
    if (error.code === 'BAD_PEM') throw new PkiError('MALFORMED_PEM', `Texte PEM illisible : ${error.message}.`, { cause: error });
    throw new PkiError('MALFORMED_CERTIFICATE', `Certificat illisible : ${error.message}.`, { cause: error });
  }
}

/** Accepts PEM text or bytes, or DER bytes; returns the DER of one certificate. */
export function certificateDer(input: Uint8Array | string): Uint8Array {
  return certificateDerList(input)[0]!;
}

/** Reads one certificate (PEM or DER) or fails with a precise French error. */
export function readCertificate(input: Uint8Array | string): ParsedCertificate {
  const der = certificateDer(input);
  try {
    return parseCertificate(der);
  } catch (cause) {
    throw new PkiError('MALFORMED_CERTIFICATE', `Certificat illisible : ${(cause as Error).message}.`, { cause });
  }
}

/** Reads every certificate of a PEM bundle (or a single DER certificate). */
export function readCertificates(input: Uint8Array | string): ParsedCertificate[] {
  return certificateDerList(input).map((der) => readCertificate(der));
}

/** Reads a PKCS#8 private key (PEM or DER) or fails with a precise French error. */
export function readPrivateKey(input: Uint8Array | string): crypto.KeyObject {
  try {
    if (typeof input === 'string' || Buffer.from(input.subarray(0, 64)).toString('latin1').includes('-----BEGIN')) {
      return crypto.createPrivateKey(typeof input === 'string' ? input : Buffer.from(input));
    }
    return crypto.createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new PkiError('MALFORMED_KEY', 'Clé privée illisible : PKCS#8 (PEM ou DER) attendu.', { cause });
  }
}
