/**
 * How a failed command ends: the one table from error codes to exit codes and the
 * French line a person reads (docs/errors.md). Every command reports through here.
 */
import { isPasseportError, PasseportError } from '../errors/index.ts';

/** Exit codes, stable for scripts. */
export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3, notFound: 4, anomalies: 5 } as const;

/** A command line that cannot be run as typed (unknown option value, missing argument): exit 2. */
export class UsageError extends PasseportError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A refusal worded for the person at the terminal (a file that cannot be read, a missing key): exit 1. */
export class CliError extends PasseportError<'CLI_REFUSED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLI_REFUSED', message, options);
  }
}

/** Codes that end a command with something other than EXIT.failure. */
const EXIT_OF_CODE: Record<string, number> = {
  USAGE: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  // The vault's (vault/errors.ts): what the caller asked wrongly, what is absent, what the vault refuses.
  INVALID_INPUT: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  ACCESS_REFUSED: EXIT.refused,
  RETENTION_NOT_ELAPSED: EXIT.refused,
  LEGAL_HOLD: EXIT.refused,
  ALREADY_DISPOSED: EXIT.refused,
  PERMANENT_OBJECT: EXIT.refused,
  NO_ACTIVE_HOLD: EXIT.refused,
  NOT_YET_SEALED: EXIT.refused,
};

export function exitCodeOf(error: unknown): number {
  return isPasseportError(error) ? (EXIT_OF_CODE[error.code] ?? EXIT.failure) : EXIT.failure;
}

/** The French explanation of a failure: a coded error's own message, anything else marked as unexpected. */
export function messageOf(error: unknown): string {
  if (isPasseportError(error)) return error.message;
  return `inattendue (${error instanceof Error ? error.message : String(error)})`;
}

/** The stable code of a failure for `--json` output, or null for an unexpected one. */
export function codeOf(error: unknown): string | null {
  return isPasseportError(error) ? error.code : null;
}
