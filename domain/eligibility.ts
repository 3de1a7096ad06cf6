/**
 * Eligibility (failing it makes the dossier "irrecevable") and hard-case
 * detection (the bank's analysts decide), from the dossier and what the
 * registries say. Every reason is collected, not just the first.
 */
import type { DeclineCode, HardCaseCode, IneligibilityCode, Reason } from './codes.ts';
import { isWithinMonthsBefore, parisDateOf } from './dates.ts';
import type { Dossier } from './dossier.ts';
import type { EligibilityResult } from './outcomes.ts';
import { totalAmountCents } from './dossier.ts';
import { DEFAULT_GUARANTEE_SETTINGS, frenchDate, guaranteedAmountCents, quotityPercent, type GuaranteeSettings } from './guarantee.ts';
import { guaranteeSectorExclusion, nafMatchesPrefix } from './naf.ts';
import type { BankPolicy } from './policy.ts';
import { isValidSiren } from './siren.ts';
import { checkTerms, formatEuros } from './tariffs.ts';

export interface PassportFacts {
  number: string;
  siren: string;
  status: 'issued' | 'revoked' | (string & {});
  /** Identifiers of the modules the créateur validated. */
  validatedModules: readonly string[];
}

export interface ResellerFacts {
  id: string;
  labelled: boolean;
  active: boolean;
}

export interface ProtocolFacts {
  active: boolean;
  policy: BankPolicy;
}

export type ExclusionKind = 'court_ban' | 'personal_bankruptcy' | 'dirigeant_060';

export interface ExcludedPersonMatch {
  kind: ExclusionKind;
  /** 'YYYY-MM-DD' the exclusion ends (inclusive); null or absent: no end. */
  until?: string | null;
}

export interface CompanyFacts {
  collectiveProcedure: boolean;
  /** Amount already covered by guarantees for this company, all lenders, in cents. */
  guaranteedOutstandingCents: number;
  turnoverCents?: number | null;
}

export interface ProgrammeSettings {
  /** The programme hesitated between 3 and 5. */
  minValidatedModules: number;
  maxCompanyAgeMonths: number;
  guarantee: GuaranteeSettings;
}

export const DEFAULT_PROGRAMME_SETTINGS: ProgrammeSettings = {
  minValidatedModules: 3,
  maxCompanyAgeMonths: 36,
  guarantee: DEFAULT_GUARANTEE_SETTINGS,
};

/** What the activity loads from the database for one dossier. */
export interface EligibilityContext {
  /** The passport with the dossier's number, or null when none. */
  passport: PassportFacts | null;
  /** The reseller with the dossier's label number, or null when none. */
  reseller: ResellerFacts | null;
  /** The protocol between that reseller and the dossier's bank, or null when none. */
  protocol: ProtocolFacts | null;
  /** Registry entries matching the dirigeant (name and birth date). */
  excludedPersons: readonly ExcludedPersonMatch[];
  company: CompanyFacts;
  settings: ProgrammeSettings;
}

/**
 * Checks a dossier at `now` (the submission instant; business dates are
 * taken in Paris). Ineligibility wins: hard cases are only looked for in an
 * eligible dossier.
 */
export function checkEligibility(dossier: Dossier, context: EligibilityContext, now: Date | string): EligibilityResult {
  const today = parisDateOf(now);
  const reasons = ineligibilityReasons(dossier, context, today);
  if (reasons.length > 0) return { eligible: false, reasons };
  // An eligible dossier has an active protocol.
  const policy = (context.protocol as ProtocolFacts).policy;
  const hardCases = hardCaseReasons(dossier, context, today);
  return {
    eligible: true,
    hardCases,
    autoDecline: autoDeclineReason(hardCases, policy),
    timeoutDefault: policy.timeoutDefault,
  };
}

export function ineligibilityReasons(dossier: Dossier, context: EligibilityContext, today: string): Reason<IneligibilityCode>[] {
  const reasons: Reason<IneligibilityCode>[] = [];
  const add = (code: IneligibilityCode, detail: string) => reasons.push({ code, detail });
  const { company } = dossier;

  // Dossiers read back from storage were not necessarily parsed: check the consent anyway.
  if ((dossier as { consent: unknown }).consent !== true) {
    add('consent_missing', "Le créateur n'a pas donné son accord pour les vérifications.");
  }
  if (!isValidSiren(company.siren)) {
    add('siren_invalid', `Le SIREN ${company.siren} n'est pas valide : vérifiez les 9 chiffres.`);
  }
  if (company.creationDate > today) {
    add('creation_date_in_future', `La date de création (${frenchDate(company.creationDate)}) est dans le futur.`);
  } else if (!isWithinMonthsBefore(company.creationDate, today, context.settings.maxCompanyAgeMonths)) {
    add(
      'company_too_old',
      `L'entreprise a été créée le ${frenchDate(company.creationDate)}, il y a plus de ${context.settings.maxCompanyAgeMonths} mois : ` +
        'le Passeport finance les entreprises de moins de 3 ans.',
    );
  }

  const { passport } = context;
  if (!passport || passport.number !== dossier.passportNumber) {
    add('passport_unknown', `Aucun Passeport ne porte le numéro ${dossier.passportNumber}.`);
  } else {
    if (passport.status !== 'issued') {
      add('passport_not_issued', `Le Passeport ${passport.number} n'est pas valide (il a été retiré ou n'est pas encore délivré).`);
    }
    if (passport.siren !== company.siren) {
      add('passport_other_company', `Le Passeport ${passport.number} appartient à une autre entreprise que celle du SIREN ${company.siren}.`);
    }
    const modules = new Set(passport.validatedModules).size;
    if (modules < context.settings.minValidatedModules) {
      add(
        'passport_too_few_modules',
        `Le Passeport compte ${modules} module${modules > 1 ? 's' : ''} validé${modules > 1 ? 's' : ''} ; ` + `il en faut au moins ${context.settings.minValidatedModules}.`,
      );
    }
  }

  const { reseller } = context;
  if (!reseller || reseller.id !== dossier.resellerId) {
    add('reseller_unknown', `Aucun revendeur agréé ne porte le numéro de label ${dossier.resellerId}.`);
  } else if (!reseller.labelled || !reseller.active) {
    add(
      'reseller_not_active',
      reseller.labelled ? `Le revendeur ${reseller.id} n'est plus actif dans le programme.` : `Le revendeur ${reseller.id} n'a pas (ou plus) le label du programme.`,
    );
  }

  const { protocol } = context;
  if (!protocol || !protocol.active) {
    add('no_active_protocol', `Le revendeur n'a pas d'accord en vigueur avec la banque ${dossier.bankId}.`);
  } else {
    reasons.push(...checkTerms({ amountCents: totalAmountCents(dossier), ...dossier.financing }, protocol.policy.tariff));
  }
  return reasons;
}

export function hardCaseReasons(dossier: Dossier, context: EligibilityContext, today: string): Reason<HardCaseCode>[] {
  const reasons: Reason<HardCaseCode>[] = [];
  const add = (code: HardCaseCode, detail: string) => reasons.push({ code, detail });
  const policy = context.protocol?.policy;
  const amount = totalAmountCents(dossier);
  const { naf } = dossier.company;

  const risky = policy?.riskyNafCodes.find((prefix) => nafMatchesPrefix(naf, prefix));
  if (risky !== undefined) {
    add('risky_sector', `Le secteur d'activité (code NAF ${naf}) figure sur la liste des secteurs que la banque examine elle-même.`);
  }
  const guarantee = context.settings.guarantee;
  const excludedSector = guaranteeSectorExclusion(naf, guarantee.sectors, context.company.turnoverCents);
  if (excludedSector) add('guarantee_excluded_sector', excludedSector);

  const current = context.excludedPersons.filter((m) => m.until === undefined || m.until === null || m.until >= today);
  const kinds = new Set(current.map((m) => m.kind));
  const personal: string[] = [];
  if (kinds.has('court_ban')) personal.push("d'une interdiction de gérer une entreprise");
  if (kinds.has('personal_bankruptcy')) personal.push("d'une faillite personnelle");
  if (personal.length > 0) {
    add('excluded_person', `Le dirigeant fait l'objet ${personal.join(' et ')}.`);
  }
  if (kinds.has('dirigeant_060')) {
    add('dirigeant_060', 'Le dirigeant a représenté au moins 3 entreprises mises en liquidation au cours des 5 dernières années.');
  }

  if (policy && amount > policy.delegationCeilingCents) {
    add(
      'above_delegation_ceiling',
      `Le montant de ${formatEuros(amount)} HT dépasse le plafond de ${formatEuros(policy.delegationCeilingCents)} HT ` + 'au-delà duquel la banque étudie elle-même le dossier.',
    );
  }
  if (context.company.collectiveProcedure) {
    add('collective_procedure', "L'entreprise fait l'objet d'une procédure collective (sauvegarde, redressement ou liquidation).");
  }
  const covered = guaranteedAmountCents(amount, quotityPercent(guarantee.quotity, true));
  if (context.company.guaranteedOutstandingCents + covered > guarantee.outstandingCapCents) {
    add(
      'guarantee_outstanding_cap',
      `Les financements garantis de l'entreprise dépasseraient le plafond de ${formatEuros(guarantee.outstandingCapCents)} ` +
        `(déjà garanti : ${formatEuros(context.company.guaranteedOutstandingCents)}).`,
    );
  }
  return reasons;
}

/** The bank's policy may decline dossiers whose dirigeant is on the registry without an analyst. */
export function autoDeclineReason(hardCases: readonly Reason<HardCaseCode>[], policy: BankPolicy): Reason<DeclineCode> | null {
  if (!policy.autoDeclineExcludedPersons) return null;
  if (!hardCases.some((h) => h.code === 'excluded_person' || h.code === 'dirigeant_060')) return null;
  return {
    code: 'automatic_exclusion',
    detail: 'La banque ne peut pas accepter ce dossier : la situation du dirigeant ne remplit pas ses conditions.',
  };
}
