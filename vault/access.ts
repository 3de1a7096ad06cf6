import type { Actor, ObjectRecord, Operation } from './types.ts';

/**
 * Who may do what, as plain functions the vault, the API and the CLI share. Archivists
 * run the vault; each party reads only the documents that name it; the engine deposits,
 * seals, audits and preserves. Everything else is refused (and the refusal journaled).
 */
const ARCHIVIST: ReadonlySet<Operation> = new Set([
  'deposit', 'read', 'metadata', 'list', 'count', 'verify', 'verify-pdf', 'journal', 'audit', 'export', 'statement', 'hold', 'release', 'dispose', 'seal', 'preserve',
]);
const PARTY: ReadonlySet<Operation> = new Set(['read', 'metadata', 'list', 'count', 'statement']);
const SYSTEM: ReadonlySet<Operation> = new Set(['deposit', 'read', 'metadata', 'seal', 'audit', 'preserve']);

export function mayPerform(actor: Actor, operation: Operation): boolean {
  switch (actor.kind) {
    case 'archivist':
      return ARCHIVIST.has(operation);
    case 'party':
      return PARTY.has(operation);
    case 'system':
      return SYSTEM.has(operation);
  }
}

/** A party's own document is one that names it among its parties. */
export function isOwnDocument(actor: Actor, object: Pick<ObjectRecord, 'parties'>): boolean {
  return actor.kind === 'party' && object.parties.some((p) => p.role === actor.role && p.id === actor.id);
}

export function mayAccessObject(actor: Actor, operation: Operation, object: Pick<ObjectRecord, 'parties'>): boolean {
  if (!mayPerform(actor, operation)) return false;
  return actor.kind !== 'party' || isOwnDocument(actor, object);
}

/** What a party's searches are limited to; archivists and the engine see everything. */
export function searchScope(actor: Actor): { party?: { role: string; id: string } } {
  return actor.kind === 'party' ? { party: { role: actor.role, id: actor.id } } : {};
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
