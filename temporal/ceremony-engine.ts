/**
 * The CeremonyEngine over Temporal: each signing step is an Update of the
 * dossier's ceremony workflow. A validator's or an activity's refusal comes
 * back as an ApplicationFailure whose type is the refusal's stable code.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isSigningRefusal, type SigningRefusal } from '../domain/ceremony.ts';
import { ceremonyQuery, ceremonyWorkflowId, countersignUpdate, declineUpdate, prepareSignatureUpdate, signUpdate, type ceremonyWorkflow } from '../workflows/ceremony.ts';
import { SigningRefusedError, type CeremonyEngine } from './types.ts';

export interface TemporalCeremonyEngineOptions {
  client: Client;
  /** How long a caller waits for a step (a signature takes a timestamp and a verification). */
  waitMs?: number;
}

/** A validator's refusal, or an activity's wrapped in its ActivityFailure. */
function refusalIn(cause: unknown): { type: SigningRefusal; message: string } | null {
  for (let c = cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof ApplicationFailure && isSigningRefusal(c.type)) return { type: c.type, message: c.message };
  }
  return null;
}

export function createTemporalCeremonyEngine({ client, waitMs = 60_000 }: TemporalCeremonyEngineOptions): CeremonyEngine {
  const handleOf = (dossierId: string) => client.workflow.getHandle<typeof ceremonyWorkflow>(ceremonyWorkflowId(dossierId));

  async function update<T>(dossierId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await client.withDeadline(Date.now() + waitMs, run);
    } catch (error) {
      const refusal = error instanceof WorkflowUpdateFailedError ? refusalIn(error.cause) : null;
      if (refusal) throw new SigningRefusedError(refusal.type, refusal.message);
      // A finished ceremony answers Updates as « not found » or « already completed »: its last state says which.
      if (error instanceof WorkflowNotFoundError || (error instanceof Error && /already completed/i.test(error.message))) {
        const view = await status(dossierId).catch(() => null);
        if (!view) throw new SigningRefusedError('no_ceremony', `Aucun contrat n’est en signature pour le dossier ${dossierId}.`);
        const detail =
          view.stage === 'signed'
            ? 'Le contrat est déjà signé par les trois parties : sa signature est close.'
            : view.stage === 'declined'
              ? 'La signature de ce contrat a été refusée : elle est close.'
              : view.stage === 'lapsed'
                ? 'L’offre a expiré : le contrat ne peut plus être signé.'
                : view.stage === 'letter_sealed'
                  ? 'La demande de financement a été refusée : il n’y a pas de contrat à signer.'
                  : 'La signature de ce contrat est close.';
        throw new SigningRefusedError(view.stage === 'lapsed' ? 'offer_lapsed' : 'ceremony_closed', detail);
      }
      throw error;
    }
  }

  async function status(dossierId: string) {
    try {
      return await handleOf(dossierId).query(ceremonyQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  return {
    prepare: (dossierId, request) => update(dossierId, () => handleOf(dossierId).executeUpdate(prepareSignatureUpdate, { args: [request] })),
    sign: (dossierId, request) => update(dossierId, () => handleOf(dossierId).executeUpdate(signUpdate, { args: [request] })),
    countersign: (dossierId, request) => update(dossierId, () => handleOf(dossierId).executeUpdate(countersignUpdate, { args: [request] })),
    decline: (dossierId, request) => update(dossierId, () => handleOf(dossierId).executeUpdate(declineUpdate, { args: [request] })),
    status,
  };
}
