/** Response schemas shared by the route families (they also feed the OpenAPI document). */
import { z } from 'zod';
import { DECLINE_CODES, DOSSIER_STATUSES } from '../domain/codes.ts';

export const ReasonSchema = z.object({ code: z.string(), detail: z.string() });

export const GuaranteeSchema = z.union([
  z.object({
    status: z.literal('granted'),
    reference: z.string(),
    mode: z.enum(['delegated', 'individual']),
    quotityPercent: z.number(),
    feeBasisPoints: z.number(),
    guaranteedAmountCents: z.number(),
  }),
  z.object({ status: z.literal('refused'), reason: z.string() }),
]);

export const ConditionsSchema = z.object({
  amountCents: z.number().int().positive().optional(),
  durationMonths: z.number().int().positive().optional(),
  depositCents: z.number().int().min(0).optional(),
  text: z.string().max(1000).optional(),
});

export const DecisionSchema = z.object({
  outcome: z.enum(['approved', 'declined']),
  decidedBy: z.enum(['rule', 'analyst', 'deadline', 'policy']),
  analyst: z.string().optional(),
  reasonCode: z.enum(DECLINE_CODES).optional(),
  text: z.string().optional(),
  conditions: ConditionsSchema.optional(),
  guaranteeReference: z.string().optional(),
  decidedAt: z.string(),
});

export const DossierViewSchema = z
  .object({
    dossierId: z.uuid(),
    status: z.enum(DOSSIER_STATUSES),
    ineligibility: z.array(ReasonSchema),
    hardCases: z.array(ReasonSchema),
    guarantee: GuaranteeSchema.nullable(),
    decision: DecisionSchema.nullable(),
    decisionDeadline: z.string().nullable(),
  })
  .meta({ id: 'DossierView' });

export const DossierSummarySchema = DossierViewSchema.extend({
  resellerId: z.string(),
  bankId: z.string(),
  siren: z.string(),
  companyName: z.string(),
  totalAmountCents: z.number().int(),
  guaranteeReference: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
}).meta({ id: 'DossierSummary' });

export const DossierDetailSchema = DossierSummarySchema.extend({
  dossier: z.record(z.string(), z.unknown()).describe('Le dossier tel que soumis'),
}).meta({ id: 'DossierDetail' });

export const DossierIdParams = z.object({
  id: z.uuid({ error: "L'identifiant du dossier est un UUID" }),
});
