/**
 * The dossier workflow, phases 1–3 of docs/architecture.md: eligibility, SOFARIS
 * guarantee, decision (default accord now, or the bank's analyst before the
 * deadline). Deterministic: no I/O here, every side effect is an activity.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DossierActivities, DossierWorkflowInput } from '../activities/types.ts';
import type { DossierStatus, HardCaseCode, IneligibilityCode, Reason } from '../domain/codes.ts';
import type { AnalystDecision, DossierView, FinalDecision, GuaranteeResult } from '../domain/outcomes.ts';
import { decisionTimeline } from '../domain/schedule-deadlines.ts';
import { deadlineDefaultDecision } from '../domain/deadline-default.ts';
import { invalidDecisionReason } from './analyst-decision.ts';
import { ceremonyWorkflow, ceremonyWorkflowId } from './ceremony.ts';

// ── Messages ──────────────────────────────────────────────────────────────
export interface DecideRequest {
  bankId: string;
  decision: AnalystDecision;
}

/** Refusal types the validator raises; the engine maps each to a DecisionRefusedError code (temporal/types.ts). */
export const REFUSAL = { wrongBank: 'wrong_bank', notPending: 'not_pending', invalid: 'invalid_decision' } as const;

export const statusQuery = defineQuery<DossierView>('status');
/** Resolves once the dossier has its first answer (ineligible, decided, or with the analyst). */
export const awaitFirstAnswerUpdate = defineUpdate<DossierView>('awaitFirstAnswer');
/** The bank analyst's decision; refused before it enters history when it does not apply. */
export const decideUpdate = defineUpdate<DossierView, [DecideRequest]>('decide');

export type DossierWorkflowResult = { status: 'ineligible'; reasons: Reason<IneligibilityCode>[] } | { status: 'approved' | 'declined'; decision: FinalDecision };

/**
 * Dossiers that reached their deadline before this marker decided by the old
 * rule (the protocol's default alone, « 24 heures » whatever the deadline);
 * their histories replay that way. From it on: domain/deadline-default.ts.
 */
export const DEADLINE_DEFAULT_NEEDS_GUARANTEE = 'deadline-default-needs-guarantee';
const LEGACY_DEADLINE_TEXT = 'analyse non réalisée dans les 24 heures';
/** Dossiers decided from this marker on start the ceremony workflow (phases 4–8); earlier histories end at the decision. */
export const CEREMONY_STARTED = 'ceremony-workflow-started';

const retry = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' };
/**
 * Short steps whose inputs the history already fixes and whose effects are
 * idempotent (the guarantor registers one answer per dossier) run as local
 * activities, inside the workflow task: no round trip through the server.
 * A guarantor that answers slowly (a remote one deciding case by case) would
 * move requestGuarantee to `remote`, behind a `patched()` marker.
 */
const local = proxyLocalActivities<Omit<DossierActivities, 'recordDecision'>>({ startToCloseTimeout: '5s', retry });
/**
 * The decision is a regular activity, queued and retried by the server: it carries
 * decidedAt from the workflow clock, which must be in the history before the
 * database sees it. A local activity's input is not, until its workflow task
 * completes, so a worker crash in between would store one instant and return another.
 */
const remote = proxyActivities<Pick<DossierActivities, 'recordDecision'>>({ startToCloseTimeout: '10s', retry });

export async function dossierWorkflow(input: DossierWorkflowInput): Promise<DossierWorkflowResult> {
  const { dossierId, bankId } = input;

  // ── State ───────────────────────────────────────────────────────────────
  let status: DossierStatus = 'received';
  let ineligibility: Reason<IneligibilityCode>[] = [];
  const hardCases: Reason<HardCaseCode>[] = [];
  let guarantee: GuaranteeResult | null = null;
  let decision: FinalDecision | null = null;
  let deadlineAt: string | null = null;
  let analystDecision: AnalystDecision | undefined;
  let waitingForAnalyst = false;

  const view = (): DossierView => ({
    dossierId,
    status,
    ineligibility,
    hardCases,
    guarantee,
    decision,
    decisionDeadline: deadlineAt,
  });

  // ── Handlers ────────────────────────────────────────────────────────────
  setHandler(statusQuery, view);
  setHandler(awaitFirstAnswerUpdate, async () => {
    await condition(() => status !== 'received');
    return view();
  });
  setHandler(
    decideUpdate,
    async (request) => {
      analystDecision = request.decision;
      await condition(() => decision !== null);
      return view();
    },
    {
      validator: (request) => {
        if (request?.bankId !== bankId) {
          throw ApplicationFailure.nonRetryable('Ce dossier relève d’une autre banque.', REFUSAL.wrongBank);
        }
        if (!waitingForAnalyst || analystDecision !== undefined) {
          throw ApplicationFailure.nonRetryable('Ce dossier n’attend pas de décision.', REFUSAL.notPending);
        }
        const invalid = invalidDecisionReason(request.decision);
        if (invalid) throw ApplicationFailure.nonRetryable(invalid, REFUSAL.invalid);
      },
    },
  );

  // ── 1. Eligibility ──────────────────────────────────────────────────────
  const eligibility = await local.checkEligibility(dossierId);
  if (!eligibility.eligible) {
    await local.recordIneligible(dossierId, eligibility.reasons);
    ineligibility = eligibility.reasons;
    status = 'ineligible';
    await condition(allHandlersFinished);
    return { status: 'ineligible', reasons: ineligibility };
  }
  hardCases.push(...eligibility.hardCases);

  // ── 2. SOFARIS guarantee ────────────────────────────────────────────────
  guarantee = await local.requestGuarantee(dossierId);
  if (guarantee.status === 'refused') {
    hardCases.push({ code: 'guarantee_refused', detail: guarantee.reason });
  }
  const guaranteeReference = guarantee.status === 'granted' ? guarantee.reference : undefined;

  // ── 3. Decision ─────────────────────────────────────────────────────────
  // The 24-hour clock starts when the dossier was accepted, i.e. when this workflow started.
  const timeline = decisionTimeline(workflowInfo().startTime.toISOString(), input.deadlines);
  if (hardCases.length === 0) {
    decision = await record({ outcome: 'approved', decidedBy: 'rule', guaranteeReference });
  } else if (eligibility.autoDecline) {
    const { code, detail } = eligibility.autoDecline;
    decision = await record({ outcome: 'declined', decidedBy: 'policy', reasonCode: code, text: detail });
  } else {
    deadlineAt = timeline.deadlineAt;
    await local.recordAwaitingAnalyst(dossierId, hardCases, deadlineAt);
    status = 'awaiting_analyst';
    waitingForAnalyst = true;

    for (const reminder of timeline.reminders) {
      if (await waitForAnalystUntil(reminder.at, `rappel à la banque (${reminder.offsetSeconds} s)`)) break;
      await local.sendReminder(dossierId, reminder.offsetSeconds);
    }
    const decided = await waitForAnalystUntil(timeline.deadlineAt, 'échéance de la décision');
    waitingForAnalyst = false;

    if (decided && analystDecision) {
      decision = await record(fromAnalyst(analystDecision, guaranteeReference));
    } else if (patched(DEADLINE_DEFAULT_NEEDS_GUARANTEE)) {
      decision = await record(deadlineDefaultDecision(eligibility.timeoutDefault, guarantee, input.deadlines.decisionSeconds));
    } else if (eligibility.timeoutDefault === 'approve') {
      decision = await record({ outcome: 'approved', decidedBy: 'deadline', text: LEGACY_DEADLINE_TEXT, guaranteeReference });
    } else {
      decision = await record({ outcome: 'declined', decidedBy: 'deadline', reasonCode: 'deadline_expired', text: LEGACY_DEADLINE_TEXT });
    }
  }
  status = decision.outcome;

  // ── 4–8. Letter, contract, signatures, B-LTA, archive: the ceremony workflow ──
  if (input.ceremony && patched(CEREMONY_STARTED)) await startCeremony(decision);
  await condition(allHandlersFinished);
  return { status: decision.outcome, decision };

  // ── Steps ───────────────────────────────────────────────────────────────
  async function record(fields: Omit<FinalDecision, 'decidedAt'>): Promise<FinalDecision> {
    const final: FinalDecision = { ...withoutUndefined(fields), decidedAt: new Date().toISOString() };
    await remote.recordDecision(dossierId, final);
    return final;
  }

  /** Its own workflow, which outlives this one: the signatures take up to the offer's 30 days. */
  async function startCeremony(final: FinalDecision): Promise<void> {
    try {
      await startChild(ceremonyWorkflow, {
        workflowId: ceremonyWorkflowId(dossierId),
        args: [{ dossierId, bankId, decision: final, settings: input.ceremony! }],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Signature du contrat du dossier ${dossierId}`,
      });
    } catch (error) {
      // A reset replaying the decision finds its ceremony already running: it is that one.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  /** True when the analyst decided before `at`; false once `at` has passed. */
  async function waitForAnalystUntil(at: string, summary: string): Promise<boolean> {
    const remaining = Date.parse(at) - Date.now();
    if (analystDecision !== undefined) return true;
    if (remaining <= 0) return false;
    return condition(() => analystDecision !== undefined, remaining, { summary });
  }
}

function fromAnalyst(input: AnalystDecision, guaranteeReference: string | undefined): Omit<FinalDecision, 'decidedAt'> {
  if (input.decision === 'approve') {
    return { outcome: 'approved', decidedBy: 'analyst', analyst: input.analyst, conditions: input.conditions, guaranteeReference };
  }
  return { outcome: 'declined', decidedBy: 'analyst', analyst: input.analyst, reasonCode: input.reasonCode, text: input.text };
}

/** Payloads are JSON: dropping undefined keeps the stored decision and the view identical. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
