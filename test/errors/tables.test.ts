/**
 * The two tables from error codes to what a caller sees (docs/errors.md): the API's
 * problem+json status and the CLI's exit code. Each row is a branch on a code.
 */
import { describe, expect, it } from 'vitest';
import { problemOfCode } from '../../api/problems.ts';
import { PkiError } from '../../certs/errors.ts';
import { CliError, EXIT, UsageError, codeOf, exitCodeOf, messageOf } from '../../cli/errors.ts';
import { ConfigError } from '../../config/env.ts';
import { AccountError, DecisionConflictError, IdempotencyConflictError, MigrationAlteredError } from '../../db/errors.ts';
import { QuoteRefused } from '../../domain/rents.ts';
import { PasseportError, isPasseportError } from '../../errors/index.ts';
import { PdfError } from '../../pdf/errors.ts';
import { SignatureError } from '../../signature/errors.ts';
import { parseLevel } from '../../signature/levels.ts';
import { DecisionRefusedError, InvalidDecisionError } from '../../temporal/types.ts';
import { VaultError } from '../../vault/errors.ts';

describe('the API table (api/problems.ts)', () => {
  it.each([
    [new InvalidDecisionError('Le nom de l’analyste est requis.'), 422, 'invalid-decision'],
    [new DecisionRefusedError('wrong_bank', 'Autre banque.'), 403, 'wrong-bank'],
    [new DecisionRefusedError('not_pending', 'Pas en attente.'), 409, 'not-pending'],
    [new DecisionRefusedError('unknown_dossier', 'Inconnu.'), 404, 'unknown-dossier'],
    [new IdempotencyConflictError('d-1'), 422, 'idempotency-key-reused'],
    [new AccountError('email_taken', 'email', 'Adresse déjà utilisée.'), 409, 'email-taken'],
    [new AccountError('siren_invalid', 'siren', 'SIREN invalide.'), 422, 'siren-invalid'],
    [new QuoteRefused([{ code: 'amount_below_minimum', detail: 'Montant trop faible.' }]), 422, 'outside-tariff-grid'],
    [new VaultError('NOT_FOUND', 'Introuvable.'), 404, 'vault-not-found'],
    [new VaultError('ACCESS_REFUSED', 'Refusé.'), 403, 'vault-access-refused'],
    [new VaultError('LEGAL_HOLD', 'Gel juridique.'), 409, 'vault-legal-hold'],
    [new VaultError('STORAGE_FAILURE', 'Stockage.'), 503, 'vault-storage-failure'],
    [new PkiError('UNKNOWN_CA', 'AC inconnue.'), 404, 'not-found'],
    [new SignatureError('SIGN_TIMESTAMP_FAILED', 'Horodatage impossible.'), 503, 'signature-service-unavailable'],
    [new SignatureError('SIGN_FETCH_FAILED', 'LCR injoignable.'), 503, 'signature-service-unavailable'],
    [new SignatureError('SIGN_PAGE_NOT_FOUND', 'Page absente.'), 422, 'signature-refused'],
    [new PdfError('PDF_LIMIT', 'trop gros'), 422, 'unreadable-pdf'],
  ])('%s → %i %s, its French message as detail', (error, status, slug) => {
    const problem = problemOfCode(error);
    expect(problem).toMatchObject({ status, slug, detail: error.message });
  });

  it.each([
    new SignatureError('SIGN_INTERNAL', 'Erreur interne.'),
    new SignatureError('SIGN_RESERVE_TOO_SMALL', 'Réserve trop petite.'),
    new PkiError('TOKEN_SIGN_FAILED', 'Jeton en panne.'),
    new MigrationAlteredError('001_init.sql'),
  ])('%s is left to the 500 path: the server’s fault, not the request’s', (error) => {
    expect(problemOfCode(error)).toBeUndefined();
  });
});

describe('the CLI table (cli/errors.ts)', () => {
  it.each([
    [new UsageError('Option inconnue.'), EXIT.usage],
    [new ConfigError('DATABASE_URL invalide.'), EXIT.usage],
    [new VaultError('INVALID_INPUT', 'Entrée invalide.'), EXIT.usage],
    [new VaultError('NOT_FOUND', 'Introuvable.'), EXIT.notFound],
    [new VaultError('RETENTION_NOT_ELAPSED', 'Conservation en cours.'), EXIT.refused],
    [new VaultError('NOT_YET_SEALED', 'Pas encore scellé.'), EXIT.refused],
    [new CliError('Fichier illisible.'), EXIT.failure],
    [new SignatureError('SIGN_TSA_REQUIRED', 'TSA requise.'), EXIT.failure],
    [new DecisionConflictError('d-1'), EXIT.failure],
  ])('%s → exit %i with its own message and code', (error, exit) => {
    expect(exitCodeOf(error)).toBe(exit);
    expect(messageOf(error)).toBe(error.message);
    expect(codeOf(error)).toBe(error.code);
  });

  it('an error without a code is marked unexpected, exits 1 and has no code', () => {
    const error = new TypeError('x is undefined');
    expect(exitCodeOf(error)).toBe(EXIT.failure);
    expect(messageOf(error)).toBe('inattendue (x is undefined)');
    expect(codeOf(error)).toBeNull();
  });
});

describe('the base', () => {
  it('a module error is a PasseportError with its code and its class name, and keeps its cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new SignatureError('SIGN_FETCH_FAILED', 'http://ca.example/ca.crl ne répond pas', { cause });
    expect(error).toBeInstanceOf(PasseportError);
    expect(error.name).toBe('SignatureError');
    expect(error.cause).toBe(cause);
    expect(isPasseportError(error, 'SIGN_FETCH_FAILED')).toBe(true);
    expect(isPasseportError(error, 'SIGN_INTERNAL')).toBe(false);
    expect(isPasseportError(new Error('x'))).toBe(false);
  });

  it('the signer refuses an unknown level by its code', () => {
    expect(() => parseLevel('B-X')).toThrow(expect.objectContaining({ code: 'SIGN_LEVEL_UNKNOWN' }));
  });
});
