/**
 * The refusals of the repositories (docs/errors.md): what a caller may correct or
 * report, with a stable code and a French message. Kept apart from the SQL so that
 * the API's error table loads no repository.
 */
import type { DossierStatus } from '../domain/codes.ts';
import { PasseportError } from '../errors/index.ts';

/** Why an account cannot be created as asked (French, for the API and the CLI), with the field at fault. */
export type AccountErrorCode = 'email_taken' | 'organisation_unknown' | 'organisation_kind' | 'password_too_short' | 'password_too_long' | 'siren_invalid';

export class AccountError extends PasseportError<AccountErrorCode> {
  constructor(
    code: AccountErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** The same idempotency key was used before with a different body. */
export class IdempotencyConflictError extends PasseportError<'IDEMPOTENCY_KEY_REUSED'> {
  constructor(readonly existingDossierId: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `Cette clé Idempotency-Key a déjà servi pour un autre contenu (dossier ${existingDossierId}). Utilisez une nouvelle clé pour un nouveau dossier.`,
    );
  }
}

/** A state change the dossier's current state does not allow. */
export class DossierStateError extends PasseportError<'DOSSIER_STATE'> {
  constructor(
    readonly dossierId: string,
    readonly status: DossierStatus | 'unknown',
    message: string,
  ) {
    super('DOSSIER_STATE', message);
  }
}

/** A different final decision for a dossier already decided. */
export class DecisionConflictError extends PasseportError<'DECISION_CONFLICT'> {
  constructor(readonly dossierId: string) {
    super('DECISION_CONFLICT', `Le dossier ${dossierId} a déjà reçu une autre décision.`);
  }
}

/** A migration already applied whose file was changed since: the schema would no longer match its history. */
export class MigrationAlteredError extends PasseportError<'MIGRATION_ALTERED'> {
  constructor(readonly migration: string) {
    super('MIGRATION_ALTERED', `La migration ${migration} a été modifiée après avoir été appliquée : ajoutez plutôt une nouvelle migration.`);
  }
}
