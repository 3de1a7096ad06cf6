/** The vault's records, as its functions return them. Times are ISO 8601 UTC strings. */

/**
 * Who acts: an archivist — of the vault's operator (no organisation: the whole vault) or of
 * one organisation (its documents only) —, one of the parties to the documents, the engine
 * itself, or anyone else (refused everything, and journaled).
 */
export type Actor =
  { kind: 'archivist'; name: string; organisation?: string } | { kind: 'party'; role: PartyRole; id: string } | { kind: 'system'; name: string } | { kind: 'other'; name: string };

export const PARTY_ROLES = ['createur', 'revendeur', 'banque'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** A party to a document: the créateur by SIREN, the reseller by label number, the bank by its id. */
export interface Party {
  role: PartyRole;
  id: string;
  name?: string;
}

export interface BusinessMetadata {
  dossierId?: string;
  siren?: string;
  parties?: Party[];
}

export interface DepositObject {
  name: string;
  mediaType: string;
  content: Uint8Array;
  /** Defaults to the package's class. */
  documentClass?: string;
}

export interface DepositPackage extends BusinessMetadata {
  documentClass: string;
  objects: DepositObject[];
}

export interface ObjectRecord {
  id: string;
  packageId: string;
  position: number;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  sha512: string;
  documentClass: string;
  /** Null: kept without limit (the journal's seals). */
  retentionEnd: string | null;
  depositor: string;
  depositedAt: string;
  dossierId: string | null;
  siren: string | null;
  parties: Party[];
  derivedFrom: string | null;
  disposedAt: string | null;
  disposedBy: string | null;
  disposalReason: string | null;
  /** Active legal holds. */
  holds: LegalHold[];
}

export interface LegalHold {
  id: number;
  reason: string;
  setBy: string;
  setAt: string;
}

export interface DepositResult {
  packageId: string;
  /** False when the same package was already in the vault. */
  created: boolean;
  objects: ObjectRecord[];
}

export interface JournalEntry {
  seq: number;
  time: string;
  operation: Operation;
  actor: string;
  object: string | null;
  outcome: string;
  details: Record<string, unknown>;
  previous: string;
}

/** Every function of the vault; each call leaves one journal entry at least. */
export const OPERATIONS = [
  'deposit',
  'read',
  'metadata',
  'list',
  'count',
  'verify',
  'verify-pdf',
  'journal',
  'audit',
  'export',
  'statement',
  'hold',
  'release',
  'dispose',
  'seal',
  'preserve',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface SearchFilter {
  dossierId?: string;
  siren?: string;
  documentClass?: string;
  /** Deposited at or after (ISO 8601). */
  from?: string;
  /** Deposited before (ISO 8601). */
  to?: string;
  includeDisposed?: boolean;
  limit?: number;
  offset?: number;
}

/** What a seal covers: its number, the entries and their period, and their Merkle root. */
export interface SealHeader {
  id: string;
  number: number;
  firstSeq: number;
  lastSeq: number;
  periodStart: string;
  periodEnd: string;
  merkleRoot: string;
}

export interface SealRecord extends SealHeader {
  document: string;
  token: Uint8Array;
  tokenTime: string;
  sealedAt: string;
  documentObjectId: string;
  tokenObjectId: string;
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'archivist':
      return actor.organisation ? `archiviste:${actor.organisation}:${actor.name}` : `archiviste:${actor.name}`;
    case 'party':
      return `partie:${actor.role}:${actor.id}`;
    case 'system':
      return `systeme:${actor.name}`;
    case 'other':
      return `autre:${actor.name}`;
  }
}
