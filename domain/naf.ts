/**
 * NAF rév. 2 codes ("APE"): 'NN.NNL', e.g. '62.02A'. The section letter is
 * derived from the division (the first two digits).
 */
export const NAF_PATTERN = /^\d{2}\.\d{2}[A-Z]$/;

export function isValidNafFormat(code: string): boolean {
  return NAF_PATTERN.test(code);
}

/** '62.02A' → '62' */
export function nafDivision(code: string): string {
  return code.slice(0, 2);
}

/** '64.19Z' → '64.1' (group), the level of the guarantee's exclusions. */
export function nafGroup(code: string): string {
  return code.slice(0, 4);
}

// NAF rév. 2 sections by division ranges (INSEE).
const SECTIONS: ReadonlyArray<readonly [string, number, number]> = [
  ['A', 1, 3],
  ['B', 5, 9],
  ['C', 10, 33],
  ['D', 35, 35],
  ['E', 36, 39],
  ['F', 41, 43],
  ['G', 45, 47],
  ['H', 49, 53],
  ['I', 55, 56],
  ['J', 58, 63],
  ['K', 64, 66],
  ['L', 68, 68],
  ['M', 69, 75],
  ['N', 77, 82],
  ['O', 84, 84],
  ['P', 85, 85],
  ['Q', 86, 88],
  ['R', 90, 93],
  ['S', 94, 96],
  ['T', 97, 98],
  ['U', 99, 99],
];

/** The section letter ('J' for 62.02A), or null for a division NAF does not use. */
export function nafSection(code: string): string | null {
  const division = Number(nafDivision(code));
  for (const [letter, from, to] of SECTIONS) {
    if (division >= from && division <= to) return letter;
  }
  return null;
}

/**
 * True when `code` falls under `prefix`. A prefix is a NAF code or any leading
 * part of one: '56' (division), '56.1' (group), '56.10' (class), '56.10A'.
 */
export function nafMatchesPrefix(code: string, prefix: string): boolean {
  return prefix.length > 0 && code.startsWith(prefix);
}

export interface GuaranteeSectorSettings {
  /**
   * The SOFARIS years excluded agriculture (section A) when turnover was
   * small. Off by default: today's Garantie Création has no such rule.
   */
  excludeSmallAgriculture: boolean;
  /** Turnover under which agriculture is excluded when the flag is on. */
  smallAgricultureTurnoverCents: number;
}

export const DEFAULT_GUARANTEE_SECTOR_SETTINGS: GuaranteeSectorSettings = {
  excludeSmallAgriculture: false,
  smallAgricultureTurnoverCents: 7_600_000,
};

/**
 * Why a sector is excluded from the Bpifrance guarantee, in plain French, or
 * null when it is not. Bpifrance excludes financial services (division 64)
 * except holding companies' activities (group 64.2), and real-estate
 * dealing and letting (68.1, 68.2) and property development (41.1).
 */
export function guaranteeSectorExclusion(code: string, settings: GuaranteeSectorSettings = DEFAULT_GUARANTEE_SECTOR_SETTINGS, turnoverCents?: number | null): string | null {
  const group = nafGroup(code);
  if (nafDivision(code) === '64' && group !== '64.2') {
    return 'Les activités financières (code NAF 64) ne sont pas couvertes par la garantie.';
  }
  if (group === '68.1' || group === '68.2') {
    return "L'achat, la vente et la location de biens immobiliers ne sont pas couverts par la garantie.";
  }
  if (group === '41.1') {
    return "La promotion immobilière n'est pas couverte par la garantie.";
  }
  if (
    settings.excludeSmallAgriculture &&
    nafSection(code) === 'A' &&
    (turnoverCents === undefined || turnoverCents === null || turnoverCents < settings.smallAgricultureTurnoverCents)
  ) {
    return "Les exploitations agricoles à faible chiffre d'affaires ne sont pas couvertes par la garantie.";
  }
  return null;
}
