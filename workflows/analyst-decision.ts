import { DECLINE_CODES } from '../domain/codes.ts';
import { unstorableTextPaths } from '../domain/text.ts';

/**
 * Why an analyst decision cannot be accepted (plain French), or null when it is
 * well formed. The API validates first; this guards the workflow's own history:
 * a decision the database could not store (a lone UTF-16 surrogate, U+0000)
 * would be retried forever past the deadline, so it is refused before it enters.
 */
export function invalidDecisionReason(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return 'La décision est absente.';
  const d = input as Record<string, unknown>;
  const unstorable = unstorableTextPaths(d)[0];
  if (unstorable) return `Le champ ${unstorable.path} ne peut pas être enregistré : ${unstorable.message}.`;
  if (typeof d.analyst !== 'string' || d.analyst.trim() === '') return 'Le nom de l’analyste est requis.';
  if (d.decision === 'approve') {
    if (d.conditions === undefined) return null;
    if (typeof d.conditions !== 'object' || d.conditions === null) return 'Les conditions sont mal formées.';
    const c = d.conditions as Record<string, unknown>;
    for (const key of ['amountCents', 'durationMonths', 'depositCents'] as const) {
      const v = c[key];
      if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) {
        return `La condition ${key} doit être un entier positif.`;
      }
    }
    if (c.text !== undefined && typeof c.text !== 'string') return 'Le texte des conditions est mal formé.';
    return null;
  }
  if (d.decision === 'decline') {
    if (!(DECLINE_CODES as readonly unknown[]).includes(d.reasonCode)) return 'Le motif de refus est inconnu.';
    if (typeof d.text !== 'string') return 'Le refus doit être motivé par un texte.';
    return null;
  }
  return 'La décision doit être « approve » ou « decline ».';
}
