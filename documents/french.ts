/**
 * How the documents write amounts, dates, rates and the financing vocabulary
 * for a person: French conventions, business dates in Europe/Paris.
 */
import { BUSINESS_TIME_ZONE, isCalendarDate, parisDateOf } from '../domain/dates.ts';
import type { EquipmentCategory } from '../domain/dossier.ts';
import type { Periodicity, Product } from '../domain/financing.ts';
import { frenchDate } from '../domain/guarantee.ts';
import { formatEuros } from '../domain/tariffs.ts';
import { invalidInput } from './errors.ts';

/** « 1 234,56 € » from integer cents. */
export const euros = formatEuros;

/** '05/03/2026' from '2026-03-05'. */
export const shortDate = frenchDate;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** '5 mars 2026', '1er avril 2026' from '2026-03-05', '2026-04-01'. */
export function longDate(date: string): string {
  if (!isCalendarDate(date)) throw invalidInput(`Date invalide : ${date} (format attendu AAAA-MM-JJ).`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: BUSINESS_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** '5 mars 2026 à 14 h 05': an instant read on a Paris clock. */
export function parisDateTime(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw invalidInput(`Instant invalide : ${String(instant)}.`);
  const [hours, minutes] = parisTime.format(date).split(':');
  return `${longDate(parisDateOf(date))} à ${hours} h ${minutes}`;
}

/** '912 345 675'. */
export function sirenText(siren: string): string {
  return siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

/** '60 %', '1,5 %', '0,90 %' (at least `decimals` decimals). */
export function percentText(percent: number, decimals = 0): string {
  const fixed = percent.toFixed(Math.max(decimals, countDecimals(percent)));
  return `${fixed.replace('.', ',')} %`;
}

function countDecimals(n: number): number {
  const text = String(n);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(4, text.length - dot - 1);
}

/** '0,90 %' from 90 basis points. */
export function basisPointsText(basisPoints: number): string {
  return percentText(basisPoints / 100, 2);
}

export const PRODUCT_NAMES: Record<Product, string> = {
  credit_bail: 'crédit-bail',
  location_financiere: 'location financière',
};

export const PERIODICITY_ADJECTIVES: Record<Periodicity, { singular: string; plural: string }> = {
  monthly: { singular: 'mensuel', plural: 'mensuels' },
  quarterly: { singular: 'trimestriel', plural: 'trimestriels' },
};

export const CATEGORY_NAMES: Record<EquipmentCategory, string> = {
  poste_de_travail: 'Poste de travail',
  portable: 'Portable',
  serveur: 'Serveur',
  impression_numerisation: 'Impression, numérisation',
  reseau_telecom: 'Réseau et télécom',
  logiciel: 'Logiciel',
  securite: 'Sécurité',
  dematerialisation: 'Dématérialisation',
  services: 'Services',
};

/** 'Camille Rousseau'. */
export function personName(p: { firstName: string; lastName: string }): string {
  return `${p.firstName} ${p.lastName}`;
}

/** 'X loyers' with the right plural. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count > 1 ? pluralForm : singular}`;
}
