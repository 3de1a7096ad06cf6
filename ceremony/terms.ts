/**
 * What the letter and the contract say, read from the registries: the parties
 * as the documents name them, the rent schedule on the approved terms (the
 * analyst's conditions applied) and the guarantee. The same function serves
 * both documents, so the letter's rents are the contract's to the cent.
 */
import type { Sql } from '../db/connect.ts';
import { getDossier, type DossierRecord } from '../db/repositories/dossiers.ts';
import { getProtocol } from '../db/repositories/protocols.ts';
import { getSignatory, type Signatory } from '../db/repositories/ceremonies.ts';
import { contractStartDate } from '../domain/ceremony.ts';
import type { Dossier } from '../domain/dossier.ts';
import { totalAmountCents } from '../domain/dossier.ts';
import type { DurationMonths } from '../domain/financing.ts';
import type { FinalDecision } from '../domain/outcomes.ts';
import { BankPolicySchema, type BankPolicy } from '../domain/policy.ts';
import { quote, type Quote } from '../domain/rents.ts';
import type { GuaranteeTerms, Organisation } from '../documents/index.ts';
import { CeremonyError } from './errors.ts';

export interface DossierTerms {
  record: DossierRecord;
  dossier: Dossier;
  policy: BankPolicy;
  bank: Organisation;
  reseller: Organisation;
  guarantee: GuaranteeTerms | null;
}

/** A dossier's facts for its documents; null parts of the registries stay out of the text. */
export async function loadDossierTerms(sql: Sql, dossierId: string): Promise<DossierTerms> {
  const record = await getDossier(sql, dossierId);
  if (!record) throw new CeremonyError('CEREMONY_DOSSIER_UNKNOWN', `Dossier ${dossierId} introuvable`);
  const protocol = await getProtocol(sql, record.resellerId, record.bankId);
  if (!protocol) throw new CeremonyError('CEREMONY_DOSSIER_UNKNOWN', `Protocole ${record.resellerId} / ${record.bankId} introuvable`);
  const [bank] = await sql<{ name: string }[]>`select name from banks where id = ${record.bankId}`;
  const [reseller] = await sql<{ name: string; postcode: string | null; city: string | null }[]>`
    select name, postcode, city from resellers where id = ${record.resellerId}`;
  const g = record.guarantee;
  return {
    record,
    dossier: record.body as Dossier,
    policy: BankPolicySchema.parse(protocol.policy),
    bank: organisation(bank?.name ?? record.bankId, await getSignatory(sql, record.bankId)),
    reseller: organisation(reseller?.name ?? record.resellerId, await getSignatory(sql, record.resellerId), reseller ?? undefined),
    guarantee:
      g?.status === 'granted'
        ? { reference: g.reference, quotityPercent: g.quotityPercent, guaranteedAmountCents: g.guaranteedAmountCents, feeBasisPoints: g.feeBasisPoints }
        : null,
  };
}

function organisation(name: string, signatory: Signatory | null, place?: { postcode: string | null; city: string | null }): Organisation {
  return {
    name,
    // A seal signs in the organisation's own name: only a person is « représenté par ».
    ...(signatory ? { siren: signatory.siren } : {}),
    ...(signatory?.title ? { signatory: `${signatory.name}, ${signatory.title}` } : {}),
    ...(place?.postcode ? { postcode: place.postcode } : {}),
    ...(place?.city ? { city: place.city } : {}),
  };
}

/** The approved amount: the analyst's, or the equipment's total. */
export function approvedAmountCents(dossier: Dossier, decision: FinalDecision): number {
  return decision.conditions?.amountCents ?? totalAmountCents(dossier);
}

/** The rent schedule on the approved terms, starting the month after the decision. */
export function approvedQuote(terms: DossierTerms, decision: FinalDecision): Quote {
  const { dossier } = terms;
  return quote({
    amountCents: approvedAmountCents(dossier, decision),
    product: dossier.financing.product,
    durationMonths: (decision.conditions?.durationMonths ?? dossier.financing.durationMonths) as DurationMonths,
    periodicity: dossier.financing.periodicity,
    firstRentIncreasePercent: dossier.financing.firstRentIncreasePercent,
    residualValuePercent: dossier.financing.residualValuePercent,
    tariff: terms.policy.tariff,
    startDate: contractStartDate(decision.decidedAt),
  });
}

/** « Prénom Nom » of the dirigeant, who signs for the créateur's company. */
export function dirigeantName(dossier: Dossier): string {
  return `${dossier.dirigeant.firstName} ${dossier.dirigeant.lastName}`.trim().replace(/\s+/g, ' ');
}
