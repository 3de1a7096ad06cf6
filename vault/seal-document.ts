import type { SealHeader } from './types.ts';

/**
 * The text a seal's timestamp covers (`sceau.txt` in exports): one `clé: valeur` per line,
 * LF endings. The TSA timestamps the SHA-512 of these bytes, so `openssl ts -verify -data
 * sceau.txt` checks it as it is, and `grep` reads its fields.
 */
export interface ChainLink {
  sealId: string;
  /** SHA-512 (hex) of that seal's timestamp token. */
  tokenSha512: string;
}

export interface SealDocument extends SealHeader {
  /** Hash of the last entry sealed: where the journal's chain stood. */
  lastEntryHash: string;
  previous: ChainLink | null;
  monthBefore: ChainLink | null;
  yearBefore: ChainLink | null;
}

const link = (l: ChainLink | null): string => (l ? `${l.sealId} ${l.tokenSha512}` : 'aucun');

export function formatSealDocument(d: SealDocument): string {
  return [
    'Sceau du journal du coffre-fort Passeport',
    `sceau: ${d.id}`,
    `numero: ${d.number}`,
    `entrees: ${d.firstSeq}-${d.lastSeq}`,
    `nombre-entrees: ${d.lastSeq - d.firstSeq + 1}`,
    `debut-periode: ${d.periodStart}`,
    `fin-periode: ${d.periodEnd}`,
    `racine-merkle-sha512: ${d.merkleRoot}`,
    `derniere-entree-sha512: ${d.lastEntryHash}`,
    `jeton-precedent: ${link(d.previous)}`,
    `jeton-mois-precedent: ${link(d.monthBefore)}`,
    `jeton-annee-precedente: ${link(d.yearBefore)}`,
    '',
  ].join('\n');
}

export function parseSealDocument(text: string): SealDocument {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9-]+): (.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const get = (key: string): string => {
    const v = fields.get(key);
    if (v === undefined) throw new Error(`champ « ${key} » absent du sceau`);
    return v;
  };
  const parseLink = (key: string): ChainLink | null => {
    const v = get(key);
    if (v === 'aucun') return null;
    const m = /^(SC-\d{6,}) ([0-9a-f]{128})$/.exec(v);
    if (!m) throw new Error(`champ « ${key} » illisible`);
    return { sealId: m[1]!, tokenSha512: m[2]! };
  };
  const range = /^(\d+)-(\d+)$/.exec(get('entrees'));
  if (!range) throw new Error('champ « entrees » illisible');
  return {
    id: get('sceau'),
    number: Number(get('numero')),
    firstSeq: Number(range[1]),
    lastSeq: Number(range[2]),
    periodStart: get('debut-periode'),
    periodEnd: get('fin-periode'),
    merkleRoot: get('racine-merkle-sha512'),
    lastEntryHash: get('derniere-entree-sha512'),
    previous: parseLink('jeton-precedent'),
    monthBefore: parseLink('jeton-mois-precedent'),
    yearBefore: parseLink('jeton-annee-precedente'),
  };
}
