import { SignatureError } from './errors.ts';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const PADES_LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

export function parseLevel(s: string): PadesLevel {
  const l = s.toUpperCase().replace(/^PADES-/, '') as PadesLevel;
  if (!PADES_LEVELS.includes(l)) throw new SignatureError('SIGN_LEVEL_UNKNOWN', `Niveau PAdES inconnu « ${s} » : choisissez B-B, B-T, B-LT ou B-LTA.`);
  return l;
}

/** Whether `level` includes what `min` requires. */
export const atLeast = (level: PadesLevel, min: PadesLevel): boolean => PADES_LEVELS.indexOf(level) >= PADES_LEVELS.indexOf(min);

const two = (n: number): string => (n < 10 ? '0' : '') + n;

export function pdfDate(d: Date): string {
  return `D:${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
}
