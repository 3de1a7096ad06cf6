/**
 * The vocabulary shared by the rules, the workflow, the database and the API.
 * Codes are stable identifiers (stored, sent over the API); French labels for
 * people live beside the rules that produce them.
 */
export const DOSSIER_STATUSES = [
  'received', // accepted as complete, checks not finished
  'ineligible', // "irrecevable": failed an eligibility rule
  'awaiting_analyst', // hard case waiting for the bank
  'approved',
  'declined',
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

export const INELIGIBILITY_CODES = [
  'siren_invalid',
  'company_too_old',
  'creation_date_in_future',
  'passport_unknown',
  'passport_not_issued',
  'passport_other_company',
  'passport_too_few_modules',
  'reseller_unknown',
  'reseller_not_active',
  'no_active_protocol',
  'amount_below_minimum',
  'amount_above_maximum',
  'duration_not_offered',
  'product_not_offered',
  'periodicity_not_offered',
  'first_rent_increase_not_allowed',
  'consent_missing',
] as const;
export type IneligibilityCode = (typeof INELIGIBILITY_CODES)[number];

export const HARD_CASE_CODES = [
  'risky_sector', // NAF code on the bank's list
  'guarantee_excluded_sector', // sector excluded from the guarantee
  'excluded_person', // court ban or personal bankruptcy
  'dirigeant_060', // 3+ liquidations within 5 years (Banque de France indicator 060)
  'above_delegation_ceiling',
  'collective_procedure',
  'guarantee_outstanding_cap',
  'guarantee_refused',
] as const;
export type HardCaseCode = (typeof HARD_CASE_CODES)[number];

export const DECLINE_CODES = [
  'risk',
  'sector',
  'dirigeant',
  'guarantee',
  'financial_situation',
  'other',
  'deadline_expired', // the protocol default at 24 h
  'automatic_exclusion', // bank policy: excluded persons declined automatically
] as const;
export type DeclineCode = (typeof DECLINE_CODES)[number];

export interface Reason<C extends string> {
  code: C;
  /** Plain French, shown to people. */
  detail: string;
}
