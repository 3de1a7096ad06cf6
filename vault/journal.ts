import { appendJournalEntry, type Queryable, type StoredEntry } from '../db/repositories/vault.ts';
import { GENESIS_HASH, sha512Hex } from './hashing.ts';
import type { JournalEntry, Operation } from './types.ts';

/**
 * The journal: one entry per operation, chained. An entry's bytes are its JSON body in a
 * fixed field order (UTF-8, no spaces); its hash is SHA-512 of those bytes; each entry
 * carries the hash of the one before it (`previous`), the first one 128 zeros.
 */
export interface NewEntry {
  operation: Operation;
  actor: string;
  object: string | null;
  outcome: string;
  details?: Record<string, unknown>;
  time: Date;
}

export function entryBody(seq: number, previous: string, e: NewEntry): string {
  const entry: JournalEntry = {
    seq,
    time: e.time.toISOString(),
    operation: e.operation,
    actor: e.actor,
    object: e.object,
    outcome: e.outcome,
    details: e.details ?? {},
    previous,
  };
  return JSON.stringify(entry);
}

/** Appends inside `tx`: the entry commits with the operation it records, or not at all. */
export function appendEntry(tx: Queryable, e: NewEntry): Promise<StoredEntry> {
  return appendJournalEntry(tx, (seq, previous) => {
    const body = entryBody(seq, previous, e);
    return {
      entry: { time: e.time.toISOString(), operation: e.operation, actor: e.actor, object: e.object, outcome: e.outcome, details: e.details ?? {} },
      body,
      hash: sha512Hex(body),
    };
  });
}

export function parseEntry(body: string): JournalEntry {
  return JSON.parse(body) as JournalEntry;
}

export interface ChainProblem {
  kind: 'entry-missing' | 'entry-out-of-place' | 'entry-altered' | 'entry-unreadable' | 'chain-broken' | 'entry-columns' | 'head-mismatch';
  /** The entry the problem is about. */
  seq: number;
  message: string;
}

/**
 * Walks the journal in order and says what breaks the chain, naming the entry: a number
 * missing, an entry out of its place, bytes that no longer match their hash, a link that
 * no longer matches the entry before it (edited then re-hashed, or replaced), search
 * columns that disagree with the entry's bytes.
 */
export class ChainChecker {
  private expectedSeq = 1;
  private previousHash: string;

  constructor(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.previousHash = start.hash;
  }

  check(stored: StoredEntry): ChainProblem[] {
    const problems: ChainProblem[] = [];
    const at = stored.seq;
    let explained = false;
    if (stored.seq > this.expectedSeq) {
      const last = stored.seq - 1;
      problems.push({
        kind: 'entry-missing',
        seq: this.expectedSeq,
        message: last > this.expectedSeq ? `entrées n° ${this.expectedSeq} à ${last} absentes du journal` : `entrée n° ${this.expectedSeq} absente du journal`,
      });
      explained = true;
    }
    if (sha512Hex(stored.body) !== stored.hash) {
      problems.push({ kind: 'entry-altered', seq: at, message: `entrée n° ${at} modifiée : son empreinte ne correspond plus à son contenu` });
    }
    let parsed: JournalEntry | null = null;
    try {
      parsed = parseEntry(stored.body);
    } catch {
      problems.push({ kind: 'entry-unreadable', seq: at, message: `entrée n° ${at} illisible` });
    }
    if (parsed) {
      if (parsed.seq !== stored.seq) {
        problems.push({ kind: 'entry-out-of-place', seq: at, message: `entrée n° ${at} hors de sa place : son contenu porte le numéro ${parsed.seq}` });
        explained = true;
      }
      if (!explained && parsed.previous !== this.previousHash) {
        const before = at - 1;
        problems.push({
          kind: 'chain-broken',
          seq: before,
          message: `entrée n° ${before} modifiée ou remplacée : elle ne correspond plus à ce que l'entrée n° ${at} a enchaîné`,
        });
      }
      const columns: [string, unknown, unknown][] = [
        ['opération', parsed.operation, stored.operation],
        ['auteur', parsed.actor, stored.actor],
        ['objet', parsed.object, stored.objectId],
        ['résultat', parsed.outcome, stored.outcome],
        ['date', parsed.time, stored.recordedAt],
        ['chaînage', parsed.previous, stored.previousHash],
      ];
      for (const [label, inBody, inColumn] of columns) {
        if (inBody !== inColumn) {
          problems.push({ kind: 'entry-columns', seq: at, message: `entrée n° ${at} : ${label} « ${String(inColumn)} » en base, « ${String(inBody)} » dans l'entrée` });
        }
      }
    }
    this.expectedSeq = Math.max(this.expectedSeq, stored.seq) + 1;
    this.previousHash = stored.hash;
    return problems;
  }

  /** The head row must name the last entry: otherwise entries were cut from the end. */
  finish(head: { seq: number; hash: string }): ChainProblem[] {
    const lastSeq = this.expectedSeq - 1;
    if (head.seq === lastSeq && head.hash === this.previousHash) return [];
    if (head.seq > lastSeq) {
      return [{ kind: 'entry-missing', seq: lastSeq + 1, message: `entrées n° ${lastSeq + 1} à ${head.seq} absentes de la fin du journal` }];
    }
    return [{ kind: 'head-mismatch', seq: lastSeq, message: `la fin du journal enregistrée (n° ${head.seq}) ne correspond pas à la dernière entrée (n° ${lastSeq})` }];
  }
}
