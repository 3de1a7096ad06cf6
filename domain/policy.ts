/**
 * A bank's policy for one reseller, stored as JSON in the protocol: its
 * tariff grid (with amount bounds), risky sectors, delegation ceiling,
 * deadline default, automatic declines and required signature levels.
 */
import { z } from 'zod';
import { TariffGridSchema } from './tariffs.ts';

/** RGS levels: 1 = RGS * ("moyen"), 2 = RGS ** ("fort"), 3 = RGS *** ("qualifié"). */
export const RGS_LEVELS = [1, 2, 3] as const;
export type RgsLevel = (typeof RGS_LEVELS)[number];
const rgsLevel = z.literal(RGS_LEVELS);

export const RequiredRgsLevelsSchema = z.strictObject({
  /** The créateur needs `below` up to `upToCents` excl. VAT (inclusive), `above` beyond. */
  createur: z.strictObject({ upToCents: z.number().int().min(0), below: rgsLevel, above: rgsLevel }),
  revendeur: rgsLevel,
  bank: rgsLevel,
});
export type RequiredRgsLevels = z.infer<typeof RequiredRgsLevelsSchema>;

export const DEFAULT_REQUIRED_RGS_LEVELS: RequiredRgsLevels = {
  createur: { upToCents: 1_500_000, below: 1, above: 2 },
  revendeur: 1,
  bank: 3,
};

/** A NAF code or a leading part of one: '56', '56.1', '56.10', '56.10A'. */
const nafPrefix = z.string().regex(/^\d{2}(?:\.\d{1,2}[A-Z]?)?$/, 'Préfixe de code NAF attendu, par exemple 56 ou 56.10A');

export const BankPolicySchema = z.strictObject({
  tariff: TariffGridSchema,
  riskyNafCodes: z.array(nafPrefix).default([]),
  /** Above this amount excl. VAT the guarantor decides case by case, and the dossier is a hard case. */
  delegationCeilingCents: z.number().int().min(0),
  /** What applies when no analyst decided by the deadline. */
  timeoutDefault: z.enum(['approve', 'decline']).default('decline'),
  /** Decline dossiers whose dirigeant is on the excluded-persons registry without an analyst. */
  autoDeclineExcludedPersons: z.boolean().default(false),
  requiredRgsLevels: RequiredRgsLevelsSchema.default(DEFAULT_REQUIRED_RGS_LEVELS),
});
export type BankPolicy = z.infer<typeof BankPolicySchema>;
export type BankPolicyInput = z.input<typeof BankPolicySchema>;

export type SigningParty = 'createur' | 'revendeur' | 'bank';

/** The RGS level a party must sign with for an amount excl. VAT. */
export function requiredRgsLevel(levels: RequiredRgsLevels, party: SigningParty, amountCents: number): RgsLevel {
  if (party === 'createur') return amountCents <= levels.createur.upToCents ? levels.createur.below : levels.createur.above;
  return levels[party];
}
