/**
 * The dossier workflow's activities: thin adapters from the workflow to the
 * database, the domain rules and the guarantor. Temporal retries them, so
 * each one is idempotent: state changes are guarded, events and outbox rows
 * carry unique keys, the guarantor is asked once per dossier.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/connect.ts';
import type { DossierActivities } from './types.ts';
import type { EligibilityResult, FinalDecision, GuaranteeResult } from '../domain/outcomes.ts';
import type { HardCaseCode, IneligibilityCode, Reason } from '../domain/codes.ts';
import type { Dossier } from '../domain/dossier.ts';
import { totalAmountCents } from '../domain/dossier.ts';
import { checkEligibility } from '../domain/eligibility.ts';
import { BankPolicySchema } from '../domain/policy.ts';
import type { Guarantor } from '../guarantor/port.ts';
import { getDossier, markAwaitingAnalyst, markIneligible, recordDecision, saveGuarantee, type DossierRecord } from '../db/repositories/dossiers.ts';
import { recordEvent } from '../db/repositories/events.ts';
import { enqueueOutbox } from '../db/repositories/outbox.ts';
import { getProtocol } from '../db/repositories/protocols.ts';
import { externalGuaranteedOutstandingCents, loadEligibilityContext } from '../db/repositories/registries.ts';
import { DecisionConflictError, DossierStateError } from '../db/errors.ts';

export interface DossierActivityDeps {
  sql: Sql;
  guarantor: Guarantor;
}

/** Failures a retry cannot fix: the workflow sees them at once, typed by their code, instead of retrying forever. */
function nonRetryable(error: unknown): never {
  if (error instanceof DecisionConflictError || error instanceof DossierStateError) {
    throw ApplicationFailure.nonRetryable(error.message, error.code);
  }
  throw error;
}

export function createDossierActivities(deps: DossierActivityDeps): DossierActivities {
  const { sql, guarantor } = deps;

  /**
   * The workflow exists only for a stored dossier: a read that finds nothing is
   * a transient state of the database (a replica behind, a failover), retried
   * like any database error, never a reason to fail the dossier for good.
   */
  async function load(dossierId: string): Promise<DossierRecord> {
    const record = await getDossier(sql, dossierId);
    if (!record) throw ApplicationFailure.retryable(`Dossier ${dossierId} introuvable pour l’instant`, 'DossierNotFoundYet');
    return record;
  }

  async function event(dossierId: string, type: string, payload: unknown, key: string = type): Promise<void> {
    await recordEvent(sql, dossierId, type, payload, `${dossierId}:${key}`);
  }

  /** The reseller hears of every final answer (irrecevable, accord, refus). */
  async function noticeReseller(record: DossierRecord, payload: unknown): Promise<void> {
    await enqueueOutbox(sql, { dossierId: record.id, kind: 'decision_notice', recipientOrganisationId: record.resellerId, payload });
  }

  return {
    async checkEligibility(dossierId: string): Promise<EligibilityResult> {
      const record = await load(dossierId);
      const dossier = record.body as Dossier;
      const context = await loadEligibilityContext(sql, dossierId, dossier);
      // The rules are judged at acceptance, so a retry hours later gives the same answer.
      const result = checkEligibility(dossier, context, record.acceptedAt);
      await event(dossierId, 'eligibility_checked', result);
      return result;
    },

    async requestGuarantee(dossierId: string): Promise<GuaranteeResult> {
      const record = await load(dossierId);
      if (record.guarantee) return record.guarantee;
      const dossier = record.body as Dossier;
      const protocol = await getProtocol(sql, record.resellerId, record.bankId);
      // Eligibility found an active protocol: reading none now is transient too.
      if (!protocol) throw ApplicationFailure.retryable(`Protocole du dossier ${dossierId} introuvable pour l’instant`, 'ProtocolNotFoundYet');
      const policy = BankPolicySchema.parse(protocol.policy);
      const answer = await guarantor.request({
        dossierId,
        siren: dossier.company.siren,
        naf: dossier.company.naf,
        amountCents: totalAmountCents(dossier),
        durationMonths: dossier.financing.durationMonths,
        product: dossier.financing.product,
        creationDate: dossier.company.creationDate,
        bankId: record.bankId,
        delegationCeilingCents: policy.delegationCeilingCents,
        otherOutstandingCents: await externalGuaranteedOutstandingCents(sql, dossier.company.siren),
      });
      const stored = await saveGuarantee(sql, dossierId, answer);
      await event(dossierId, 'guarantee_answered', stored);
      return stored;
    },

    async recordIneligible(dossierId: string, reasons: Reason<IneligibilityCode>[]): Promise<void> {
      const record = await load(dossierId);
      await markIneligible(sql, dossierId, reasons).catch(nonRetryable);
      await event(dossierId, 'ineligible', { reasons });
      await noticeReseller(record, { status: 'ineligible', reasons });
    },

    async recordAwaitingAnalyst(dossierId: string, hardCases: Reason<HardCaseCode>[], deadlineAt: string): Promise<void> {
      await markAwaitingAnalyst(sql, dossierId, hardCases, deadlineAt).catch(nonRetryable);
      await event(dossierId, 'awaiting_analyst', { hardCases, deadlineAt });
    },

    async recordDecision(dossierId: string, decision: FinalDecision): Promise<void> {
      const record = await load(dossierId);
      await recordDecision(sql, dossierId, decision).catch(nonRetryable);
      await event(dossierId, 'decided', decision);
      await noticeReseller(record, { status: decision.outcome, decision });
    },

    async sendReminder(dossierId: string, offsetSeconds: number): Promise<void> {
      const record = await load(dossierId);
      // Once decided, a late reminder would only confuse the bank.
      if (record.status !== 'awaiting_analyst') return;
      await enqueueOutbox(sql, {
        dossierId,
        kind: 'bank_reminder',
        recipientOrganisationId: record.bankId,
        offsetSeconds,
        payload: { decisionDeadline: record.decisionDeadline, hardCases: record.hardCases },
      });
      await event(dossierId, 'reminder_sent', { offsetSeconds }, `reminder_sent:${offsetSeconds}`);
    },
  };
}
