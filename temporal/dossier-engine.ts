import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DossierWorkflowInput } from '../activities/types.ts';
import type { AnalystDecision, DossierView } from '../domain/outcomes.ts';
import { REFUSAL, awaitFirstAnswerUpdate, decideUpdate, statusQuery, type dossierWorkflow } from '../workflows/dossier.ts';
import { DecisionRefusedError, InvalidDecisionError, type DossierEngine } from './types.ts';

export interface TemporalDossierEngineOptions {
  client: Client;
  taskQueue: string;
}

const QUERY_FALLBACK_MS = 1_000;

/** One workflow per dossier: its ID derives from the dossier's, so a resubmission finds the same run. */
export function dossierWorkflowId(dossierId: string): string {
  return `dossier-${dossierId}`;
}

export function createTemporalDossierEngine({ client, taskQueue }: TemporalDossierEngineOptions): DossierEngine {
  const handleOf = (dossierId: string) => client.workflow.getHandle<typeof dossierWorkflow>(dossierWorkflowId(dossierId));

  async function status(dossierId: string): Promise<DossierView | null> {
    try {
      return await handleOf(dossierId).query(statusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  async function start(input: DossierWorkflowInput, waitMs: number): Promise<DossierView> {
    // One call starts (or joins) the workflow and carries the Update, which the first workflow task then sees.
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof dossierWorkflow>('dossierWorkflow', {
      ...startOptions(input),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), waitMs);
    try {
      return await client.withAbortSignal(controller.signal, () => client.workflow.executeUpdateWithStart(awaitFirstAnswerUpdate, { startWorkflowOperation }));
    } catch (error) {
      const finished = error instanceof WorkflowExecutionAlreadyStartedError || error instanceof WorkflowNotFoundError || isCompleted(error);
      if (!controller.signal.aborted && !finished) throw error;
    } finally {
      clearTimeout(timer);
    }
    // A busy worker answers Queries late too: past a short bound, the dossier is simply still being checked.
    const view = await client.withDeadline(Date.now() + QUERY_FALLBACK_MS, () => status(input.dossierId)).catch(() => null);
    if (view) return view;
    // The wait may have been cut before the server took the start: make sure the workflow exists.
    await startOrJoin(input);
    return receivedView(input.dossierId);
  }

  function startOptions(input: DossierWorkflowInput) {
    return {
      workflowId: dossierWorkflowId(input.dossierId),
      taskQueue,
      args: [input] as [DossierWorkflowInput],
      // A finished dossier is never run again: its workflow ID stays taken.
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      staticSummary: `Dossier ${input.dossierId} (banque ${input.bankId})`,
    };
  }

  async function startOrJoin(input: DossierWorkflowInput): Promise<void> {
    try {
      await client.workflow.start<typeof dossierWorkflow>('dossierWorkflow', {
        ...startOptions(input),
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  async function decide(dossierId: string, bankId: string, decision: AnalystDecision): Promise<DossierView> {
    try {
      return await handleOf(dossierId).executeUpdate(decideUpdate, { args: [{ bankId, decision }] });
    } catch (error) {
      const refusal = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
      if (refusal instanceof ApplicationFailure) {
        if (refusal.type === REFUSAL.wrongBank) throw new DecisionRefusedError('wrong_bank', refusal.message);
        if (refusal.type === REFUSAL.notPending) throw new DecisionRefusedError('not_pending', refusal.message);
        if (refusal.type === REFUSAL.invalid) throw new InvalidDecisionError(refusal.message);
      }
      if (error instanceof WorkflowNotFoundError || isCompleted(error)) {
        const view = await status(dossierId);
        if (!view) throw new DecisionRefusedError('unknown_dossier', 'Ce dossier est inconnu.');
        throw new DecisionRefusedError('not_pending', 'Ce dossier n’attend pas de décision.');
      }
      throw error;
    }
  }

  return { start, decide, status };
}

function receivedView(dossierId: string): DossierView {
  return {
    dossierId,
    status: 'received',
    ineligibility: [],
    hardCases: [],
    guarantee: null,
    decision: null,
    decisionDeadline: null,
  };
}

/** The server's answer when an Update targets a workflow that has already finished. */
function isCompleted(error: unknown): boolean {
  return error instanceof Error && /already completed/i.test(error.message);
}
