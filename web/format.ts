/**
 * Numbers, amounts, dates and durations as people read and type them in France:
 * « 1 234,56 € », « 12 mars 2026 à 14 h 30 », « 3 h 20 restantes ».
 */
import { BUSINESS_TIME_ZONE } from '../domain/dates.ts';

const EUROS = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const EUROS_ROUND = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const PERCENT = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** 123456 → « 1 234,56 € » (whole euros without decimals when `round`). */
export function euros(cents: number, options: { round?: boolean } = {}): string {
  return (options.round ? EUROS_ROUND : EUROS).format(cents / 100);
}

/** 0.4567 → « 45,7 % » */
export function percent(ratio: number): string {
  return `${PERCENT.format(ratio * 100)} %`;
}

const AMOUNT = /^(\d{1,3}(?: \d{3})+|\d+)(?:[,.](\d{1,2}))?$/;

/**
 * A typed amount in euros to cents: « 1 200 », « 1200,5 », « 1 200,50 € »,
 * « 1200.50 ». Null when it is not an amount (negative, three decimals, letters).
 */
export function parseEuros(text: string): number | null {
  const cleaned = text
    .replace(/[\u00a0\u202f\t]/g, ' ')
    .replace(/€/g, '')
    .trim()
    .replace(/ +/g, ' ');
  const match = AMOUNT.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]!.replace(/ /g, ''));
  const decimals = (match[2] ?? '').padEnd(2, '0');
  const cents = whole * 100 + Number(decimals || '0');
  return Number.isSafeInteger(cents) ? cents : null;
}

/** « 1,5 » or « 1.5 » → 1.5; null when it is not a number. */
export function parseDecimal(text: string): number | null {
  const cleaned = text.replace(/\s/g, '').replace('%', '').replace(',', '.');
  if (!/^\d+(?:\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

const DATE_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: BUSINESS_TIME_ZONE, dateStyle: 'long', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: BUSINESS_TIME_ZONE, dateStyle: 'long' });
const TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: BUSINESS_TIME_ZONE, hour: '2-digit', minute: '2-digit' });

/** « 12 mars 2026 à 14 h 30 » */
export function dateTimeFr(iso: string): string {
  return DATE_TIME.format(new Date(iso)).replace(/(\d{1,2}):(\d{2})/, '$1 h $2');
}

/** An instant's day « 12 mars 2026 », or a business date 'YYYY-MM-DD' read as such. */
export function dateFr(isoOrDate: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate) ? new Date(`${isoOrDate}T12:00:00Z`) : new Date(isoOrDate);
  return DATE.format(date);
}

/** « 14 h 30 » */
export function timeFr(iso: string): string {
  return TIME.format(new Date(iso)).replace(':', ' h ');
}

function hoursAndMinutes(totalMinutes: number): string {
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  return `${hours} h ${String(minutes).padStart(2, '0')}`;
}

/**
 * The time left before a deadline, as a bank analyst reads it:
 * « 3 h 20 restantes », « 12 min restantes », « moins d'une minute »,
 * « en retard de 12 min », « en retard de 1 h 05 ».
 */
export function timeLeft(deadlineIso: string, now: Date): { text: string; overdue: boolean; minutes: number } {
  const ms = Date.parse(deadlineIso) - now.getTime();
  if (ms < 0) {
    const late = Math.max(1, Math.floor(-ms / 60_000));
    return { text: `en retard de ${hoursAndMinutes(late)}`, overdue: true, minutes: -late };
  }
  // Rounded down: never promise more time than there is.
  const left = Math.floor(ms / 60_000);
  if (left === 0) return { text: 'moins d’une minute restante', overdue: false, minutes: 0 };
  return { text: `${hoursAndMinutes(left)} ${left > 1 ? 'restantes' : 'restante'}`, overdue: false, minutes: left };
}

/** A duration in seconds for figures: « 42 s », « 12 min », « 3 h 20 », « 2 j 4 h ». */
export function durationFr(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return hoursAndMinutes(minutes);
  const days = Math.floor(minutes / 1440);
  return `${days} j ${Math.floor((minutes % 1440) / 60)} h`;
}
