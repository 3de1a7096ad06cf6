/**
 * What the dossier form tidies and refuses on its own, before the API's schema:
 * shared by the server (web/pages/dossier-form.ts) and the browser
 * (web/client/dossier-form.ts), so both say the same thing.
 */
export const FORM_MESSAGES = {
  unitPrice: 'Prix unitaire : un montant en euros, par exemple 1 200 ou 1 200,50',
  unitPriceMissing: 'Prix unitaire : à renseigner',
  percent: 'Un pourcentage, par exemple 1 ou 1,5',
} as const;

/** « 912 345 675 », « 38 250 » → digits only (spaces, dots and dashes people type are dropped). */
export function compactDigits(text: string): string {
  return text.replace(/[\s.\u00a0\u202f-]/g, '');
}

/** « 62 02 a », « 6202A » → « 62.02A »; anything else is left as typed, for the schema to refuse. */
export function tidyNaf(text: string): string {
  const compact = text.replace(/\s/g, '').toUpperCase();
  const m = /^(\d{2})\.?(\d{2})([A-Z])$/.exec(compact);
  return m ? `${m[1]}.${m[2]}${m[3]}` : text.trim();
}
