import { PasseportError } from '../errors/index.ts';

/**
 * Errors of the PKI. `message` is plain French, safe to show to a user: it never
 * carries a PIN, a passphrase or key material. `code` is stable for programs
 * (the table in docs/errors.md).
 */
export class PkiError extends PasseportError {}
