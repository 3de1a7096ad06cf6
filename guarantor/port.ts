/**
 * How the engine talks to the guarantor (SOFARIS, today Bpifrance): one
 * request per dossier. The local service (local.ts) applies the rules of
 * domain/guarantee.ts; a real guarantor's client can replace it.
 */
import type { GuaranteeResult } from '../domain/outcomes.ts';
import type { Product } from '../domain/financing.ts';

export interface GuaranteeRequest {
  /** Idempotency key: the same dossier always gets the same answer and reference. */
  dossierId: string;
  siren: string;
  naf: string;
  /** Financed amount excl. VAT. */
  amountCents: number;
  durationMonths: number;
  product: Product;
  /** 'YYYY-MM-DD' */
  creationDate: string;
  bankId: string;
  /** The bank's delegation ceiling: at or under it the bank grants the guarantee itself. */
  delegationCeilingCents: number;
  /** Founded by natural persons (matters for the SOFARIS quotité rule); true when absent. */
  createdByNaturalPersons?: boolean;
  turnoverCents?: number | null;
  /** Guaranteed outstanding the guarantor cannot see (other lenders), counted in the cap. */
  otherOutstandingCents?: number;
}

export interface Guarantor {
  request(req: GuaranteeRequest): Promise<GuaranteeResult>;
}
