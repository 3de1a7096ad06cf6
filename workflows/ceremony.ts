/**
 * The ceremony workflow, phases 4–8 of docs/architecture.md, started by the
 * dossier workflow once the decision is taken: seal the decision letter; for
 * an accord, write the contract and collect the signatures in order —
 * créateur, revendeur, then the bank's countersignature — until the offer
 * lapses; bring the contract to B-LT then B-LTA; write the evidence; archive.
 * Deterministic: every side effect is an activity.
 */
import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type {
  CeremonyActivities,
  CeremonyInput,
  Closing,
  CountersignRequest,
  DeclineRequest,
  PrepareRequest,
  PreparedForSigner,
  SignRequest,
  SignatureSummary,
} from '../activities/ceremony-types.ts';
import { SIGNING_ORDER, SIGNING_REFUSALS, awaiting, offerTerm, type CeremonyStage, type Party, type RequiredLevels } from '../domain/ceremony.ts';
import { declineRefusal, signRefusal, turnRefusal, type CeremonyState, type PreparedFacts, type Refusal } from './signing-refusals.ts';

// ── Messages ──────────────────────────────────────────────────────────────
export interface CeremonyView {
  dossierId: string;
  stage: CeremonyStage;
  turn: Party | null;
  offerExpiresOn: string;
  lapsesAt: string;
  requiredLevels: RequiredLevels | null;
  signatures: SignatureSummary[];
  closing: Closing | null;
}

export const ceremonyQuery = defineQuery<CeremonyView>('ceremony');
/** Checks the signer's certificate and returns the data it must sign. */
export const prepareSignatureUpdate = defineUpdate<PreparedForSigner, [PrepareRequest]>('prepareSignature');
/** The signature value for a preparation; applied, timestamped and verified before it is accepted. */
export const signUpdate = defineUpdate<CeremonyView, [SignRequest]>('sign');
/** The bank's countersignature with its seal, made server-side. */
export const countersignUpdate = defineUpdate<CeremonyView, [CountersignRequest]>('countersign');
/** A party declines with a reason: the ceremony ends for everyone. */
export const declineUpdate = defineUpdate<CeremonyView, [DeclineRequest]>('decline');

/** One ceremony per dossier: a second start finds the same run. */
export function ceremonyWorkflowId(dossierId: string): string {
  return `ceremony-${dossierId}`;
}

export type CeremonyResult = { status: 'letter_sealed' | 'signed' | 'declined' | 'lapsed'; contractSha256?: string };

const nonRetryableErrorTypes = [...SIGNING_REFUSALS];
/** Documents, seals, TSA and validation data: each step is short, a TSA or a database may be down a while. */
const acts = proxyActivities<CeremonyActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
});
/**
 * A signer waits on these (prepare, sign, countersign): a lasting failure (the
 * TSA down) ends the attempt within a minute with its reason, so the signer can
 * try again, instead of a signature held in flight for hours.
 */
const interactive = proxyActivities<Pick<CeremonyActivities, 'prepareSignature' | 'applySignature' | 'countersign'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 8, nonRetryableErrorTypes },
});

export async function ceremonyWorkflow(input: CeremonyInput): Promise<CeremonyResult> {
  const { dossierId, decision, settings } = input;
  const offer = offerTerm(decision.decidedAt, settings.offerSeconds);

  // ── State ───────────────────────────────────────────────────────────────
  const state: CeremonyState = {
    stage: 'sealing_letter',
    lapsesAt: offer.lapsesAt,
    levels: null,
    signedAt: {},
    inFlight: null,
    preparations: {},
    used: [],
    declinedBy: null,
  };
  const signatures: Partial<Record<Party, SignatureSummary>> = {};
  let decline: DeclineRequest | null = null;
  let closing: Closing | null = null;

  const turn = (): Party | null => (state.stage.startsWith('awaiting_') ? (state.stage.slice('awaiting_'.length) as Party) : null);
  const view = (): CeremonyView => ({
    dossierId,
    stage: state.stage,
    turn: turn(),
    offerExpiresOn: offer.expiresOn,
    lapsesAt: offer.lapsesAt,
    requiredLevels: state.levels,
    signatures: SIGNING_ORDER.flatMap((p) => (signatures[p] ? [signatures[p]] : [])),
    closing,
  });
  const refuse = (refusal: Refusal | null): void => {
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.code);
  };
  /** One signature at a time: the next party's turn waits until this one is applied or refused. */
  const applying = async (party: Party, apply: () => Promise<SignatureSummary>): Promise<CeremonyView> => {
    state.inFlight = party;
    try {
      const signed = await apply();
      signatures[party] = signed;
      state.signedAt[party] = signed.signedAt;
      state.used.push(signed.preparationId);
    } finally {
      state.inFlight = null;
    }
    // The answer shows the contract moved on: to the next party, or to its finalisation.
    await condition(() => state.stage !== awaiting(party));
    return view();
  };

  // ── Handlers ────────────────────────────────────────────────────────────
  setHandler(ceremonyQuery, view);
  setHandler(
    prepareSignatureUpdate,
    async (request) => {
      const prepared = await interactive.prepareSignature(dossierId, request, state.levels![request.party]);
      const facts: PreparedFacts = { party: request.party, rgsLevel: prepared.facts.rgsLevel, notAfter: prepared.facts.notAfter };
      state.preparations[prepared.preparationId] = facts;
      return prepared;
    },
    { validator: (request) => refuse(turnRefusal(state, request?.party, Date.now())) },
  );
  setHandler(signUpdate, (request) => applying(request.party, () => interactive.applySignature(dossierId, request, state.levels![request.party])), {
    validator: (request) => refuse(signRefusal(state, request ?? ({} as SignRequest), Date.now())),
  });
  setHandler(countersignUpdate, (request) => applying('banque', () => interactive.countersign(dossierId, request, state.levels!.banque)), {
    validator: (_request) => refuse(turnRefusal(state, 'banque', Date.now())),
  });
  setHandler(
    declineUpdate,
    async (request) => {
      decline = { ...request, reason: request.reason.trim() };
      state.declinedBy = request.party;
      await condition(() => closing !== null);
      return view();
    },
    { validator: (request) => refuse(declineRefusal(state, request ?? ({} as DeclineRequest), Date.now())) },
  );

  // ── 4. The decision letter, sealed by the bank ──────────────────────────
  await acts.sealDecisionLetter({ dossierId, decision, offer });
  if (decision.outcome === 'declined') {
    await acts.depositArchive(dossierId);
    state.stage = 'letter_sealed';
    return finish({ status: 'letter_sealed' });
  }

  // ── 5. The contract, its three signature fields empty ───────────────────
  state.stage = 'writing_contract';
  state.levels = (await acts.writeContract({ dossierId, decision, offer })).requiredLevels;

  // ── 6. Signatures: créateur, revendeur, then the bank ───────────────────
  for (const party of SIGNING_ORDER) {
    state.stage = awaiting(party);
    await acts.makeAvailable(dossierId, party);
    const outcome = await signatureOf(party);
    if (outcome !== 'signed') return close(outcome);
  }

  // ── 7. B-LT, then B-LTA, and the validation report ──────────────────────
  state.stage = 'finalising';
  const { sha256 } = await acts.finaliseContract(dossierId);

  // ── 8. The evidence, then the archive ───────────────────────────────────
  await acts.writeEvidence(dossierId);
  await acts.depositArchive(dossierId);
  state.stage = 'signed';
  return finish({ status: 'signed', contractSha256: sha256 });

  // ── Steps ───────────────────────────────────────────────────────────────
  /** Waits for the party's signature, reminding it on schedule, until a decline or the lapse. */
  async function signatureOf(party: Party): Promise<'signed' | 'declined' | 'lapsed'> {
    const settled = () => signatures[party] !== undefined || decline !== null;
    for (const offset of settings.reminderOffsetsSeconds) {
      const at = Date.parse(decision.decidedAt) + offset * 1000;
      if (at <= Date.now() || at >= Date.parse(offer.lapsesAt)) continue;
      if (await condition(settled, at - Date.now(), { summary: `rappel à ${party} (${offset} s)` })) break;
      await acts.sendSigningReminder(dossierId, party, offset);
    }
    const remaining = Date.parse(offer.lapsesAt) - Date.now();
    if (!settled() && remaining > 0) await condition(settled, remaining, { summary: 'expiration de l’offre' });
    // A signature being applied when the offer lapses finishes first: it was given in time.
    await condition(() => state.inFlight === null);
    if (signatures[party]) return 'signed';
    return decline ? 'declined' : 'lapsed';
  }

  async function close(outcome: 'declined' | 'lapsed'): Promise<CeremonyResult> {
    const request = decline as DeclineRequest | null;
    const closed: Closing =
      outcome === 'declined' && request
        ? { outcome, party: request.party, reason: request.reason, at: new Date().toISOString(), client: request.client }
        : { outcome: 'lapsed', at: new Date().toISOString() };
    await acts.closeCeremony(dossierId, closed);
    state.stage = outcome;
    closing = closed;
    await acts.writeEvidence(dossierId);
    await acts.depositArchive(dossierId);
    return finish({ status: outcome });
  }

  async function finish(result: CeremonyResult): Promise<CeremonyResult> {
    await condition(allHandlersFinished);
    return result;
  }
}
