import type { DossierRecord } from '../db/repositories/dossiers.ts';
import { toDossierView } from '../db/repositories/dossiers.ts';

function companyName(body: unknown): string {
  const company = (body as { company?: { legalName?: unknown } } | null)?.company;
  return typeof company?.legalName === 'string' ? company.legalName : '';
}

export function toSummary(d: DossierRecord) {
  return {
    ...toDossierView(d),
    resellerId: d.resellerId,
    bankId: d.bankId,
    siren: d.siren,
    companyName: companyName(d.body),
    totalAmountCents: d.totalAmountCents,
    guaranteeReference: d.guaranteeReference,
    createdAt: d.createdAt,
    decidedAt: d.decidedAt,
  };
}

export function toDetail(d: DossierRecord) {
  return { ...toSummary(d), dossier: d.body as Record<string, unknown> };
}
