/**
 * The one error type of asn1/. `message` is plain French, safe to show; `code` is
 * what callers branch on:
 * - MALFORMED: not well-formed DER (or BER where it was asked for), or not the structure expected;
 * - LIMIT_EXCEEDED: deeper nesting or more elements than the reader accepts;
 * - UNSUPPORTED_ALGORITHM: an algorithm, its parameters or a public key that verification cannot use;
 * - BAD_PEM: text that is neither PEM nor DER, or a PEM block that is not base64.
 */
import { PasseportError } from '../errors/index.ts';

export type Asn1ErrorCode = 'MALFORMED' | 'LIMIT_EXCEEDED' | 'UNSUPPORTED_ALGORITHM' | 'BAD_PEM';

export class Asn1Error extends PasseportError<Asn1ErrorCode> {}

export const malformed = (message: string): Asn1Error => new Asn1Error('MALFORMED', message);

/**
 * Runs `read`, prefixing the message of a MALFORMED error with `what` (« certificat
 * illisible : … »), and turning any other exception met while reading bytes into one.
 */
export function reading<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Asn1Error) {
      if (error.code !== 'MALFORMED' || error.message.startsWith(what)) throw error;
      throw new Asn1Error('MALFORMED', `${what} : ${error.message}`, { cause: error });
    }
    throw new Asn1Error('MALFORMED', `${what} : ${(error as Error).message}`, { cause: error });
  }
}
