/**
 * The rent preview of the dossier form, from POST /v1/quotes's answer. Pure:
 * the browser module renders it with the same code as the server's fallback
 * (the « Calculer les loyers » button without JavaScript).
 */
import type { Periodicity, Product } from '../../domain/financing.ts';
import { euros } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { PERIODICITY_LABEL } from '../labels.ts';

export interface QuoteBody {
  product: Product;
  periodicity: Periodicity;
  rentCount: number;
  rentCents: number;
  firstRentCents: number;
  lastRentCents: number;
  residualValueCents: number;
  totalCents: number;
  costCents: number;
  yearlyRateBasisPoints: number;
}

export interface QuoteAnswer {
  status: number;
  body: QuoteBody | { detail?: string; errors?: { path: string; message: string }[] };
}

const RATE = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });

/** « 36 loyers mensuels de 300,18 € HT », the first or last one named when it differs. */
export function rentSentence(q: QuoteBody): string {
  const period = PERIODICITY_LABEL[q.periodicity];
  const regular = q.rentCount - (q.firstRentCents !== q.rentCents ? 1 : 0) - (q.lastRentCents !== q.rentCents ? 1 : 0);
  const parts: string[] = [];
  if (q.firstRentCents !== q.rentCents) parts.push(`un premier loyer de ${euros(q.firstRentCents)} HT`);
  parts.push(`${regular} ${regular > 1 ? period.plural : `loyer ${period.adjective}`} de ${euros(q.rentCents)} HT`);
  if (q.lastRentCents !== q.rentCents) parts.push(`un dernier loyer de ${euros(q.lastRentCents)} HT`);
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} et ${parts.at(-1)}`;
}

export function quotePreview(answer: QuoteAnswer): SafeHtml {
  if (answer.status === 200 && 'rentCents' in answer.body) {
    const q = answer.body;
    return html`<p class="rent"><strong>${rentSentence(q)}</strong></p>
<ul class="quote">
<li>Total des loyers : ${euros(q.totalCents)} HT</li>
${q.product === 'credit_bail' ? html`<li>Option d’achat à la fin : ${euros(q.residualValueCents)} HT</li>` : ''}
<li>Coût du financement : ${euros(q.costCents)} HT (taux annuel ${RATE.format(q.yearlyRateBasisPoints / 100)} %)</li>
</ul>`;
  }
  const body = answer.body as { detail?: string; errors?: { path: string; message: string }[] };
  const messages = body.errors?.length ? body.errors.map((e) => e.message) : [body.detail ?? 'Aperçu indisponible pour le moment.'];
  return html`<p class="warn-text">Pas d’aperçu des loyers :</p><ul>${messages.map((m) => html`<li>${m}</li>`)}</ul>`;
}
