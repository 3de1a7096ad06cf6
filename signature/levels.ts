export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const PADES_LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

export function parseLevel(s: string): PadesLevel {
  const l = s.toUpperCase().replace(/^PADES-/, '') as PadesLevel;
  if (!PADES_LEVELS.includes(l)) throw new Error(`Niveau PAdES inconnu « ${s} » : choisissez B-B, B-T, B-LT ou B-LTA.`);
  return l;
}

/** Whether `level` includes what `min` requires. */
export const atLeast = (level: PadesLevel, min: PadesLevel): boolean => PADES_LEVELS.indexOf(level) >= PADES_LEVELS.indexOf(min);

export function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}
