/**
 * Errors of the PKI. `message` is plain French, safe to show to a user: it never
 * carries a PIN, a passphrase or key material. `code` is stable for programs.
 */
export class PkiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PkiError';
  }
}
