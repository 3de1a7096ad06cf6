/**
 * The dossier workflow end to end on a real Temporal dev server, a real
 * PostgreSQL, the real activities and the local guarantor: every outcome of
 * phases 1–3, driven by registry data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { FinalDecision } from '../../domain/outcomes.ts';
import type { HardCaseCode, IneligibilityCode } from '../../domain/codes.ts';
import { getDossier, insertDossierIdempotent } from '../../db/repositories/dossiers.ts';
import { listEvents } from '../../db/repositories/events.ts';
import { listOutbox } from '../../db/repositories/outbox.ts';
import { dossierWorkflowId } from '../../temporal/dossier-engine.ts';
import { DecisionRefusedError, InvalidDecisionError } from '../../temporal/types.ts';
import {
  BANK,
  BANK_APPROVE,
  BANK_AUTO,
  CEILING_CENTS,
  MAX_CENTS,
  MIN_CENTS,
  RESELLER_INACTIVE,
  RESELLER_NO_PROTOCOL,
  RISKY_NAF,
  createDossier,
  workflowInput,
  type Scenario,
} from './support/fixtures.ts';
import { acceptedUpdates, historyOf, startEngineStack, type EngineStack } from './support/engine.ts';

let stack: EngineStack;
beforeAll(async () => {
  stack = await startEngineStack();
});
afterAll(async () => {
  await stack?.stop();
});

// The notice names the real deadline: these tests run it in 3 seconds (it said « 24 heures » whatever the deadline).
const DEADLINE_TEXT = 'analyse non réalisée dans le délai de 3 secondes';
const WAIT_MS = 3_000;

async function submit(scenario: Scenario, deadlines?: Parameters<typeof workflowInput>[1]) {
  const dossier = await createDossier(stack.db.sql, scenario);
  const view = await stack.engine.start(workflowInput(dossier, deadlines), WAIT_MS);
  return { dossier, view };
}

async function finalDecision(dossierId: string): Promise<FinalDecision> {
  const result = (await stack.client.workflow.getHandle(dossierWorkflowId(dossierId)).result()) as {
    decision: FinalDecision;
  };
  return result.decision;
}

describe('default accord', () => {
  it('approves an eligible dossier without hard case at once, by rule, with the guarantee reference', async () => {
    const { dossier, view } = await submit({});
    expect(view.status).toBe('approved');
    expect(view.hardCases).toEqual([]);
    expect(view.decision).toMatchObject({ outcome: 'approved', decidedBy: 'rule' });
    expect(view.decision?.guaranteeReference).toMatch(/^SOF-\d{4}-\d{6}$/);
    expect(view.guarantee).toMatchObject({ status: 'granted', mode: 'delegated', reference: view.decision?.guaranteeReference });

    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe('approved');
    expect(row?.guaranteeReference).toBe(view.decision?.guaranteeReference);
    expect(row?.decision).toEqual(view.decision);
    const notices = (await listOutbox(stack.db.sql, dossier.dossierId)).filter((m) => m.kind === 'decision_notice');
    expect(notices).toHaveLength(1);
  });
});

describe('the first answer', () => {
  it('is the current view when the wait elapses first, and the dossier still completes once', async () => {
    const dossier = await createDossier(stack.db.sql, {});
    const view = await stack.engine.start(workflowInput(dossier), 1);
    expect(view.dossierId).toBe(dossier.dossierId);
    expect(['received', 'approved']).toContain(view.status);
    expect(await finalDecision(dossier.dossierId)).toMatchObject({ outcome: 'approved', decidedBy: 'rule' });
    expect((await listEvents(stack.db.sql, dossier.dossierId)).filter((e) => e.type === 'decided')).toHaveLength(1);
  });
});

describe('hard cases wait for the analyst', () => {
  const cases: [HardCaseCode, Scenario, HardCaseCode[]][] = [
    ['risky_sector', { naf: RISKY_NAF }, ['risky_sector']],
    ['guarantee_excluded_sector', { naf: '64.19Z' }, ['guarantee_excluded_sector', 'guarantee_refused']],
    ['excluded_person', { exclusion: 'court_ban' }, ['excluded_person']],
    ['dirigeant_060', { exclusion: 'dirigeant_060' }, ['dirigeant_060']],
    ['above_delegation_ceiling', { amountCents: CEILING_CENTS + 100 }, ['above_delegation_ceiling']],
    ['collective_procedure', { collectiveProcedure: true }, ['collective_procedure']],
    ['guarantee_outstanding_cap', { externalGuaranteedCents: 19_900_000 }, ['guarantee_outstanding_cap']],
    ['guarantee_refused', { priorGuaranteeCents: 19_900_000 }, ['guarantee_refused']],
  ];

  it.concurrent.each(cases)('%s', async (_code, scenario, expected) => {
    const { dossier, view } = await submit(scenario);
    expect(view.status).toBe('awaiting_analyst');
    // The guarantor may refuse on the same grounds; no other reason may appear.
    const codes = view.hardCases.map((h) => h.code);
    expect(codes).toEqual(expect.arrayContaining(expected));
    expect(codes.filter((c) => !expected.includes(c) && c !== 'guarantee_refused')).toEqual([]);
    for (const h of view.hardCases) expect(h.detail.length).toBeGreaterThan(10);
    expect(view.decision).toBeNull();
    expect(Date.parse(view.decisionDeadline ?? '')).toBeGreaterThan(Date.now() + 3_000_000);

    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe('awaiting_analyst');
    expect(row?.hardCases).toEqual(view.hardCases);
    expect(row?.decisionDeadline).toBe(view.decisionDeadline);
  });

  it('declines at once, by policy, when the bank declines excluded dirigeants automatically', async () => {
    const { dossier, view } = await submit({ bankId: BANK_AUTO, exclusion: 'personal_bankruptcy' });
    expect(view.status).toBe('declined');
    expect(view.hardCases.map((h) => h.code)).toEqual(['excluded_person']);
    expect(view.decision).toMatchObject({ outcome: 'declined', decidedBy: 'policy', reasonCode: 'automatic_exclusion' });
    expect((await getDossier(stack.db.sql, dossier.dossierId))?.status).toBe('declined');
  });
});

describe('ineligible dossiers', () => {
  const cases: [IneligibilityCode, Scenario, IneligibilityCode[]][] = [
    ['passport_unknown', { passport: 'missing' }, ['passport_unknown']],
    ['passport_not_issued', { passport: 'revoked' }, ['passport_not_issued']],
    ['passport_other_company', { passport: 'other_company' }, ['passport_other_company']],
    ['passport_too_few_modules', { validatedModules: 2 }, ['passport_too_few_modules']],
    ['reseller_unknown', { labelInDossier: 'R-INCONNU' }, ['reseller_unknown', 'no_active_protocol']],
    ['reseller_not_active', { resellerId: RESELLER_INACTIVE }, ['reseller_not_active']],
    ['no_active_protocol', { resellerId: RESELLER_NO_PROTOCOL }, ['no_active_protocol']],
    ['amount_below_minimum', { amountCents: MIN_CENTS - 1 }, ['amount_below_minimum']],
    ['amount_above_maximum', { amountCents: MAX_CENTS + 1 }, ['amount_above_maximum']],
    ['duration_not_offered', { durationMonths: 60 }, ['duration_not_offered']],
    ['company_too_old', { companyAgeMonths: 37 }, ['company_too_old']],
  ];

  it.concurrent.each(cases)('%s', async (_code, scenario, expected) => {
    const { dossier, view } = await submit(scenario);
    expect(view.status).toBe('ineligible');
    expect(view.ineligibility.map((r) => r.code)).toEqual(expected);
    expect(view.guarantee).toBeNull();
    expect(view.decision).toBeNull();

    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe('ineligible');
    expect(row?.ineligibility).toEqual(view.ineligibility);
    expect(row?.guarantee).toBeNull();
    const outbox = await listOutbox(stack.db.sql, dossier.dossierId);
    expect(outbox.map((m) => m.kind)).toEqual(['decision_notice']);
  });
});

describe('the analyst decides', () => {
  it('approves with conditions: recorded in the database and visible through the Query', async () => {
    const { dossier } = await submit({ naf: RISKY_NAF });
    const conditions = { amountCents: 1_000_000, durationMonths: 24, depositCents: 150_000, text: 'Apport de 1 500 €' };
    const view = await stack.engine.decide(dossier.dossierId, dossier.bankId, { decision: 'approve', analyst: 'Claire Analyste', conditions });
    expect(view.status).toBe('approved');
    expect(view.decision).toMatchObject({ outcome: 'approved', decidedBy: 'analyst', analyst: 'Claire Analyste', conditions });
    expect(view.decision?.guaranteeReference).toMatch(/^SOF-/);

    expect(await stack.engine.status(dossier.dossierId)).toEqual(view);
    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe('approved');
    expect(row?.decision).toEqual(view.decision);
    expect(await finalDecision(dossier.dossierId)).toEqual(view.decision);
  });

  it('declines with a reason code and a text', async () => {
    const { dossier } = await submit({ exclusion: 'dirigeant_060' });
    const view = await stack.engine.decide(dossier.dossierId, dossier.bankId, {
      decision: 'decline',
      analyst: 'Marc Analyste',
      reasonCode: 'dirigeant',
      text: 'Trois liquidations récentes.',
    });
    expect(view.status).toBe('declined');
    expect(view.decision).toMatchObject({ outcome: 'declined', decidedBy: 'analyst', reasonCode: 'dirigeant', text: 'Trois liquidations récentes.' });
    expect(view.decision?.guaranteeReference).toBeUndefined();
    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.decision).toEqual(view.decision);
    expect((await stack.engine.status(dossier.dossierId))?.decision).toEqual(view.decision);
  });
});

describe('the deadline', () => {
  const deadlines = { decisionSeconds: 3, reminderOffsetsSeconds: [1, 2] };

  it.concurrent.each([
    ['decline', BANK, { outcome: 'declined', decidedBy: 'deadline', reasonCode: 'deadline_expired', text: DEADLINE_TEXT }],
    ['approve', BANK_APPROVE, { outcome: 'approved', decidedBy: 'deadline', text: DEADLINE_TEXT }],
  ] as const)('applies the protocol default (%s) and reminds the bank once per offset', async (_default, bankId, expected) => {
    const { dossier, view } = await submit({ bankId, naf: RISKY_NAF }, deadlines);
    expect(view.status).toBe('awaiting_analyst');

    const decision = await finalDecision(dossier.dossierId);
    expect(decision).toMatchObject(expected);
    if (expected.outcome === 'approved') expect(decision.guaranteeReference).toMatch(/^SOF-/);
    else expect(decision.guaranteeReference).toBeUndefined();
    // The workflow's clock, not the worker's: the decision is dated at or after the deadline.
    expect(Date.parse(decision.decidedAt)).toBeGreaterThanOrEqual(Date.parse(view.decisionDeadline ?? ''));

    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe(expected.outcome);
    expect(row?.decision).toEqual(decision);
    const reminders = (await listOutbox(stack.db.sql, dossier.dossierId)).filter((m) => m.kind === 'bank_reminder');
    expect(reminders.map((m) => [m.offsetSeconds, m.recipientOrganisationId])).toEqual([
      [1, bankId],
      [2, bankId],
    ]);
    const events = (await listEvents(stack.db.sql, dossier.dossierId)).map((e) => e.type);
    expect(events.filter((t) => t === 'reminder_sent')).toHaveLength(2);
    expect(events.filter((t) => t === 'decided')).toHaveLength(1);
  });

  it.concurrent('declines at the deadline when the protocol approves by default but the guarantee was refused (issue 9: an accord by silence without guarantee)', async () => {
    const { dossier, view } = await submit({ bankId: BANK_APPROVE, naf: RISKY_NAF, priorGuaranteeCents: 19_900_000 }, deadlines);
    expect(view.status).toBe('awaiting_analyst');
    expect(view.guarantee).toMatchObject({ status: 'refused' });
    const decision = await finalDecision(dossier.dossierId);
    expect(decision).toMatchObject({ outcome: 'declined', decidedBy: 'deadline', reasonCode: 'guarantee' });
    expect(decision.text).toContain(DEADLINE_TEXT);
    expect(decision.text).toMatch(/garantie SOFARIS accordée/);
    expect(decision.guaranteeReference).toBeUndefined();
    const row = await getDossier(stack.db.sql, dossier.dossierId);
    expect(row?.status).toBe('declined');
    const notice = (await listOutbox(stack.db.sql, dossier.dossierId)).find((m) => m.kind === 'decision_notice');
    expect(notice?.payload).toMatchObject({ status: 'declined', decision: { reasonCode: 'guarantee' } });
  });

  it.concurrent('stops reminding once the analyst has decided', async () => {
    const { dossier } = await submit({ naf: RISKY_NAF }, deadlines);
    const outbox = () => listOutbox(stack.db.sql, dossier.dossierId);
    while (!(await outbox()).some((m) => m.kind === 'bank_reminder')) await new Promise((r) => setTimeout(r, 100));
    await stack.engine.decide(dossier.dossierId, dossier.bankId, { decision: 'approve', analyst: 'Claire Analyste' });
    // Past the second offset and the deadline: nothing more may appear.
    await new Promise((r) => setTimeout(r, 2_500));
    const reminders = (await outbox()).filter((m) => m.kind === 'bank_reminder');
    expect(reminders.map((m) => m.offsetSeconds)).toEqual([1]);
    expect((await getDossier(stack.db.sql, dossier.dossierId))?.decision).toMatchObject({ decidedBy: 'analyst' });
  });
});

describe('idempotent resubmission', () => {
  it('starts one workflow run and stores one dossier and one decision, whatever the number of submissions', async () => {
    const dossier = await createDossier(stack.db.sql, {});
    const input = workflowInput(dossier);
    const [first, second] = await Promise.all([stack.engine.start(input, WAIT_MS), stack.engine.start(input, WAIT_MS)]);
    // The API's retry with the same Idempotency-Key finds the same dossier…
    const again = await insertDossierIdempotent(stack.db.sql, {
      resellerId: dossier.resellerId,
      bankId: dossier.bankId,
      idempotencyKey: dossier.idempotencyKey,
      siren: dossier.body.company.siren,
      totalAmountCents: 1_250_000,
      body: dossier.body,
    });
    expect(again).toMatchObject({ created: false, dossier: { id: dossier.dossierId } });
    // …and starting its (finished) workflow again answers from the same run.
    const third = await stack.engine.start(input, WAIT_MS);

    expect(first.status).toBe('approved');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const events = await historyOf(stack.client, dossier.dossierId);
    expect(events.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
    const runs = stack.client.workflow.list({ query: `WorkflowId = "${dossierWorkflowId(dossier.dossierId)}"` });
    let count = 0;
    for await (const _ of runs) count++;
    expect(count).toBe(1);
    const [stored] = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from dossiers where reseller_id = ${dossier.resellerId} and idempotency_key = ${dossier.idempotencyKey}`;
    expect(stored?.n).toBe(1);
    const decided = (await listEvents(stack.db.sql, dossier.dossierId)).filter((e) => e.type === 'decided');
    expect(decided).toHaveLength(1);
  });
});

describe('refused analyst decisions', () => {
  it('refuses another bank and a dossier no longer pending, leaving nothing in the history', async () => {
    const { dossier } = await submit({ naf: RISKY_NAF });
    const decline = { decision: 'decline', analyst: 'X', reasonCode: 'risk', text: 'Non.' } as const;

    const wrongBank = await stack.engine.decide(dossier.dossierId, BANK_APPROVE, decline).catch((e: unknown) => e);
    expect(wrongBank).toBeInstanceOf(DecisionRefusedError);
    expect(wrongBank).toMatchObject({ reason: 'wrong_bank' });
    expect((wrongBank as Error).message).toMatch(/autre banque/);
    expect(acceptedUpdates(await historyOf(stack.client, dossier.dossierId))).toEqual(['awaitFirstAnswer']);
    expect((await getDossier(stack.db.sql, dossier.dossierId))?.status).toBe('awaiting_analyst');

    await stack.engine.decide(dossier.dossierId, dossier.bankId, { decision: 'approve', analyst: 'Claire Analyste' });
    const late = await stack.engine.decide(dossier.dossierId, dossier.bankId, decline).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DecisionRefusedError);
    expect(late).toMatchObject({ reason: 'not_pending' });
    expect(acceptedUpdates(await historyOf(stack.client, dossier.dossierId))).toEqual(['awaitFirstAnswer', 'decide']);
    expect((await getDossier(stack.db.sql, dossier.dossierId))?.decision).toMatchObject({ outcome: 'approved' });
  });

  it('refuses a decision the database could not store (a lone UTF-16 surrogate) before it enters history (issue 9: it wedged the dossier)', async () => {
    const { dossier } = await submit({ naf: RISKY_NAF });
    const refused = await stack.engine
      .decide(dossier.dossierId, dossier.bankId, { decision: 'decline', analyst: 'Marc Analyste', reasonCode: 'risk', text: 'x\ud800y' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidDecisionError);
    expect((refused as Error).message).toMatch(/text/);
    expect(acceptedUpdates(await historyOf(stack.client, dossier.dossierId))).toEqual(['awaitFirstAnswer']);
    const decided = await stack.engine.decide(dossier.dossierId, dossier.bankId, { decision: 'approve', analyst: 'Claire Analyste' });
    expect(decided.status).toBe('approved');
    expect((await getDossier(stack.db.sql, dossier.dossierId))?.status).toBe('approved');
  });

  it('refuses a decision for a dossier approved by default, and for an unknown dossier', async () => {
    const { dossier, view } = await submit({});
    expect(view.status).toBe('approved');
    const decision = { decision: 'approve', analyst: 'Claire Analyste' } as const;
    await expect(stack.engine.decide(dossier.dossierId, dossier.bankId, decision)).rejects.toMatchObject({ reason: 'not_pending' });
    await expect(stack.engine.decide('00000000-0000-4000-8000-000000000000', BANK, decision)).rejects.toMatchObject({
      reason: 'unknown_dossier',
    });
    expect(await stack.engine.status('00000000-0000-4000-8000-000000000000')).toBeNull();
    await expect(stack.client.workflow.getHandle(dossierWorkflowId('00000000-0000-4000-8000-000000000000')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
