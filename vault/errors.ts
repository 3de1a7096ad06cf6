import { PasseportError } from '../errors/index.ts';

/**
 * Why a vault operation did not happen. `code` is stable (callers, the CLI's exit codes
 * and the API's statuses branch on it); `message` is French and safe to show.
 */
export type VaultErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'ACCESS_REFUSED'
  | 'RETENTION_NOT_ELAPSED'
  | 'LEGAL_HOLD'
  | 'ALREADY_DISPOSED'
  | 'PERMANENT_OBJECT'
  | 'NO_ACTIVE_HOLD'
  | 'NOT_YET_SEALED'
  | 'NOTHING_TO_SEAL'
  | 'STORAGE_FAILURE'
  | 'JOURNAL_ALTERED'
  | 'CORRUPTED_COPY'
  | 'TIMESTAMP_FAILURE';

export class VaultError extends PasseportError<VaultErrorCode> {}

/** The refusals a caller may correct or wait out (as opposed to failures of the vault itself). */
export const REFUSAL_CODES: ReadonlySet<VaultErrorCode> = new Set([
  'ACCESS_REFUSED',
  'RETENTION_NOT_ELAPSED',
  'LEGAL_HOLD',
  'ALREADY_DISPOSED',
  'PERMANENT_OBJECT',
  'NO_ACTIVE_HOLD',
]);
