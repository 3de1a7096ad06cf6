import { OPERATIONS, type Actor, type ObjectRecord, type Operation } from './types.ts';

/**
 * Who may do what, as plain functions the vault, the API and the CLI share. The operator's
 * archivists run the whole vault; an organisation's archivist works on the documents that
 * name the organisation, and leaves the journal, audits, seals and preservation to the
 * operator; each party reads only the documents that name it; the engine deposits, seals,
 * audits and preserves. Everything else is refused (and the refusal journaled).
 */
const ARCHIVIST: ReadonlySet<Operation> = new Set(OPERATIONS);
const PARTY: ReadonlySet<Operation> = new Set(['read', 'metadata', 'list', 'count', 'statement']);
const SYSTEM: ReadonlySet<Operation> = new Set(['deposit', 'read', 'metadata', 'seal', 'audit', 'preserve']);
const OPERATOR_ONLY: ReadonlySet<Operation> = new Set(['journal', 'audit', 'seal', 'preserve']);

export function mayPerform(actor: Actor, operation: Operation): boolean {
  switch (actor.kind) {
    case 'archivist':
      return ARCHIVIST.has(operation) && !(actor.organisation && OPERATOR_ONLY.has(operation));
    case 'party':
      return PARTY.has(operation);
    case 'system':
      return SYSTEM.has(operation);
    case 'other':
      return false;
  }
}

/** Limited to some documents: a party, or an organisation's archivist. */
export function isScoped(actor: Actor): boolean {
  return actor.kind === 'party' || (actor.kind === 'archivist' && actor.organisation !== undefined);
}

/** A party's own documents name it (role and identifier); an organisation's archivist's name the organisation. */
export function isOwnDocument(actor: Actor, object: Pick<ObjectRecord, 'parties'>): boolean {
  if (actor.kind === 'party') return object.parties.some((p) => p.role === actor.role && p.id === actor.id);
  if (actor.kind === 'archivist' && actor.organisation) return object.parties.some((p) => p.id === actor.organisation);
  return false;
}

export function mayAccessObject(actor: Actor, operation: Operation, object: Pick<ObjectRecord, 'parties'>): boolean {
  if (!mayPerform(actor, operation)) return false;
  return !isScoped(actor) || isOwnDocument(actor, object);
}

/** What a scoped actor's searches are limited to; the operator's archivists and the engine see everything. */
export function searchScope(actor: Actor): { party?: { role?: string; id: string } } {
  if (actor.kind === 'party') return { party: { role: actor.role, id: actor.id } };
  if (actor.kind === 'archivist' && actor.organisation) return { party: { id: actor.organisation } };
  return {};
}

const LABELS: Record<Operation, string> = {
  deposit: 'déposer',
  read: 'lire',
  metadata: 'consulter les métadonnées',
  list: 'lister',
  count: 'compter',
  verify: 'contrôler',
  'verify-pdf': 'vérifier un PDF',
  journal: 'lire le journal',
  audit: 'auditer',
  export: 'exporter',
  statement: 'produire une attestation',
  hold: 'poser un gel juridique',
  release: 'lever un gel juridique',
  dispose: 'détruire',
  seal: 'sceller le journal',
  preserve: 'prolonger les signatures',
};

export function operationLabel(operation: Operation): string {
  return LABELS[operation];
}

/** « de » before the operation's verb, elided before a vowel (« d’auditer », « de lire »). */
export function ofOperation(operation: Operation): string {
  const label = LABELS[operation];
  return /^[aeiouyéèê]/i.test(label) ? `d’${label}` : `de ${label}`;
}
