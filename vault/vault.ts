import type { Sql } from '../db/connect.ts';
import { countObjects, getObject, journalEntries, searchObjects } from '../db/repositories/vault.ts';
import { isOwnDocument, isScoped, mayAccessObject, mayPerform, ofOperation, operationLabel, searchScope } from './access.ts';
import { recordAudit, runAudit, type AuditOptions, type AuditReport } from './audit.ts';
import { DEFAULT_SETTINGS, type VaultSettings } from './config.ts';
import { journal, readContent, type VaultContext } from './context.ts';
import { findExisting, preparePackage, recordPackage, storeContents, validatePackage } from './deposit.ts';
import { REFUSAL_CODES, VaultError } from './errors.ts';
import { checkObject, type ObjectCheck } from './check.ts';
import { exportPackage, type ExportRequest, type ExportResult } from './export.ts';
import { parseEntry } from './journal.ts';
import type { SignatureVerdict, VaultPorts } from './ports.ts';
import { preservationCandidates, preserveObject, type PreservationCandidate, type PreservationOutcome } from './preservation.ts';
import { dispose, releaseHolds, setHold } from './retention.ts';
import { sealJournal } from './sealing.ts';
import { probativeStatement } from './statement.ts';
import type { ObjectStore } from './storage/store.ts';
import { actorLabel, type Actor, type DepositResult, type JournalEntry, type LegalHold, type ObjectRecord, type Operation, type SealRecord, type SearchFilter } from './types.ts';

export interface VaultDependencies {
  sql: Sql;
  /** The first location is read first; a deposit is durable in every one before it is recorded. */
  stores: readonly ObjectStore[];
  ports: VaultPorts;
  settings?: VaultSettings;
  now?: () => Date;
}

export interface DepositOptions {
  /** Told each durable step of the write (crash tests, progress). */
  onStep?: (step: string) => void;
}

/** A journal entry as read back: its fields, its bytes and their SHA-512. */
export interface ReadEntry extends JournalEntry {
  body: string;
  hash: string;
}

/**
 * The coffre-fort. Every function takes the actor first, checks the access rules
 * (vault/access.ts), and leaves a journal entry whatever happens: done, refused or failed.
 * NF Z42-020's eight functions: deposit, read, dispose (destroy), metadata (read technical
 * metadata), verify (check), journal (read the log), list and count.
 */
export class Vault {
  readonly ctx: VaultContext;

  constructor(deps: VaultDependencies) {
    if (deps.stores.length === 0) throw new Error('Le coffre-fort a besoin d’au moins un emplacement de stockage.');
    this.ctx = { sql: deps.sql, stores: deps.stores, ports: deps.ports, settings: deps.settings ?? DEFAULT_SETTINGS, now: deps.now ?? (() => new Date()) };
  }

  /** Deposits a package; the same package again returns the same identifiers (`created: false`). */
  deposit(actor: Actor, input: unknown, options: DepositOptions = {}): Promise<DepositResult> {
    return this.run(actor, 'deposit', null, async (label) => {
      const prepared = preparePackage(validatePackage(input));
      const duplicate = async (objects: ObjectRecord[]): Promise<DepositResult> => {
        await journal(this.ctx, { operation: 'deposit', actor: label, object: prepared.packageId, outcome: 'duplicate', details: { package: prepared.packageId } });
        return { packageId: prepared.packageId, created: false, objects };
      };
      const existing = await findExisting(this.ctx.sql, prepared);
      if (existing) return duplicate(existing);
      await storeContents(this.ctx.stores, prepared, options.onStep);
      const records = await this.ctx.sql.begin(async (tx) => {
        const recorded = await recordPackage(tx, prepared, { depositor: label, at: this.ctx.now(), retention: this.ctx.settings.retention });
        options.onStep?.('avant validation');
        return recorded;
      });
      if (!records) return duplicate((await findExisting(this.ctx.sql, prepared))!);
      options.onStep?.('enregistré');
      return { packageId: prepared.packageId, created: true, objects: records };
    });
  }

  read(actor: Actor, objectId: string): Promise<{ object: ObjectRecord; content: Buffer }> {
    return this.run(
      actor,
      'read',
      objectId,
      async () => {
        const object = await this.accessibleObject(actor, 'read', objectId);
        if (object.disposedAt) throw new VaultError('ALREADY_DISPOSED', `L'objet ${objectId} a été détruit le ${object.disposedAt} : son contenu n'existe plus.`);
        return { object, content: await readContent(this.ctx, object.sha512) };
      },
      (r) => ({ details: { sha512: r.object.sha512 } }),
    );
  }

  metadata(actor: Actor, objectId: string): Promise<ObjectRecord> {
    return this.run(
      actor,
      'metadata',
      objectId,
      () => this.accessibleObject(actor, 'metadata', objectId),
      () => ({}),
    );
  }

  list(actor: Actor, filter: SearchFilter = {}): Promise<ObjectRecord[]> {
    return this.run(
      actor,
      'list',
      null,
      () => searchObjects(this.ctx.sql, filter, searchScope(actor)),
      (r) => ({ details: { filter: { ...filter }, results: r.length } }),
    );
  }

  count(actor: Actor, filter: SearchFilter = {}): Promise<{ count: number; bytes: number }> {
    return this.run(
      actor,
      'count',
      null,
      () => countObjects(this.ctx.sql, filter, searchScope(actor)),
      (r) => ({ details: { filter: { ...filter }, ...r } }),
    );
  }

  /** NF Z42-020 "check": every copy re-hashed, the deposit entry and its seal, the signatures' verdict. */
  verify(actor: Actor, objectId: string): Promise<ObjectCheck> {
    return this.run(
      actor,
      'verify',
      objectId,
      async () => checkObject(this.ctx, await this.accessibleObject(actor, 'verify', objectId)),
      (r) => ({ outcome: r.ok ? 'ok' : 'anomalies', details: { problems: r.problems } }),
    );
  }

  /** Any PDF an archivist uploads, judged by the verifier (nothing is kept but the journal entry). */
  verifyPdf(actor: Actor, pdf: Uint8Array, name: string): Promise<SignatureVerdict> {
    return this.run(
      actor,
      'verify-pdf',
      null,
      () => this.ctx.ports.verifier.verify(pdf, { time: this.ctx.now(), evidence: { certificates: [], crls: [], ocspResponses: [] } }),
      (r) => ({ outcome: r.indication, details: { name, size: pdf.length } }),
    );
  }

  readJournal(actor: Actor, options: { afterSeq?: number; objectId?: string; limit?: number } = {}): Promise<ReadEntry[]> {
    return this.run(
      actor,
      'journal',
      options.objectId ?? null,
      async () =>
        (await journalEntries(this.ctx.sql, { ...options, limit: Math.min(options.limit ?? 100, 1000) })).map((e) => ({ ...parseEntry(e.body), body: e.body, hash: e.hash })),
      (r) => ({ details: { afterSeq: options.afterSeq ?? 0, results: r.length } }),
    );
  }

  hold(actor: Actor, objectId: string, reason: string): Promise<LegalHold> {
    return this.run(actor, 'hold', objectId, (label) => setHold(this.ctx, label, objectId, reason));
  }

  release(actor: Actor, objectId: string, reason: string): Promise<number[]> {
    return this.run(actor, 'release', objectId, (label) => releaseHolds(this.ctx, label, objectId, reason));
  }

  dispose(actor: Actor, objectId: string, reason: string): Promise<ObjectRecord> {
    return this.run(actor, 'dispose', objectId, (label) => dispose(this.ctx, label, objectId, reason));
  }

  /** Seals what was journaled since the last seal; null when nothing was. */
  seal(actor: Actor): Promise<SealRecord | null> {
    return this.run(actor, 'seal', null, (label) => sealJournal(this.ctx, label));
  }

  audit(actor: Actor, options: AuditOptions = {}): Promise<AuditReport & { id: number }> {
    return this.run(actor, 'audit', null, async (label) => {
      const report = await runAudit(this.ctx, options);
      return { ...report, id: await recordAudit(this.ctx, label, report) };
    });
  }

  preservationCandidates(actor: Actor): Promise<PreservationCandidate[]> {
    return this.run(actor, 'preserve', null, () => preservationCandidates(this.ctx));
  }

  preserveObject(actor: Actor, objectId: string): Promise<PreservationOutcome> {
    return this.run(actor, 'preserve', objectId, (label) => preserveObject(this.ctx, label, objectId));
  }

  /** Every due PDF extended in turn; one that fails (the TSA down, say) is reported and the others go on. */
  async preserve(actor: Actor, onProgress?: (done: number, total: number) => void): Promise<PreservationOutcome[]> {
    const candidates = await this.preservationCandidates(actor);
    const outcomes: PreservationOutcome[] = [];
    for (const [i, c] of candidates.entries()) {
      outcomes.push(await this.preserveObject(actor, c.objectId).catch((e: unknown) => ({ status: 'failed' as const, objectId: c.objectId, reason: (e as Error).message })));
      onProgress?.(i + 1, candidates.length);
    }
    return outcomes;
  }

  /** The probative-value statement of one object: a French PDF a third party can check by hand. */
  statement(actor: Actor, objectId: string): Promise<Uint8Array> {
    return this.run(
      actor,
      'statement',
      objectId,
      async () => probativeStatement(this.ctx, await this.accessibleObject(actor, 'statement', objectId)),
      (r) => ({ details: { size: r.length } }),
    );
  }

  /** Reversibility: a self-contained folder (and tar file) checkable offline with openssl. */
  export(actor: Actor, request: ExportRequest): Promise<ExportResult> {
    return this.run(
      actor,
      'export',
      null,
      async (label) => {
        for (const id of request.objectIds ?? []) await this.accessibleObject(actor, 'export', id);
        return exportPackage(this.ctx, label, request, searchScope(actor));
      },
      (r) => ({ details: { objects: r.objects, entries: r.entries, seals: r.seals, tarSha512: r.tarSha512 ?? null } }),
    );
  }

  private async accessibleObject(actor: Actor, operation: Operation, objectId: string): Promise<ObjectRecord> {
    const object = await getObject(this.ctx.sql, objectId);
    if (!object) throw new VaultError('NOT_FOUND', `Aucun objet ${objectId} dans le coffre-fort.`);
    if (!mayAccessObject(actor, operation, object)) {
      // Someone asking for another's document learns nothing of it: "not found", journaled as a refusal.
      if (isScoped(actor) && !isOwnDocument(actor, object)) throw new VaultError('NOT_FOUND', `Aucun objet ${objectId} parmi vos documents.`, { cause: 'not-own' });
      throw new VaultError('ACCESS_REFUSED', `Accès refusé : vous ne pouvez pas ${operationLabel(operation)} l'objet ${objectId}.`);
    }
    return object;
  }

  /**
   * Access rules, then the work, then its journal entry (`journalResult`, for operations
   * that do not journal inside their own transaction). A refusal or a failure is
   * journaled too, then passed on.
   */
  private async run<T>(
    actor: Actor,
    operation: Operation,
    object: string | null,
    work: (actorLabel: string) => Promise<T>,
    journalResult?: (result: T) => { outcome?: string; details?: Record<string, unknown> },
  ): Promise<T> {
    const label = actorLabel(actor);
    try {
      if (!mayPerform(actor, operation)) {
        throw new VaultError('ACCESS_REFUSED', `Accès refusé : votre rôle ne permet pas ${ofOperation(operation)}.`);
      }
      const result = await work(label);
      if (journalResult) {
        const { outcome, details } = journalResult(result);
        await journal(this.ctx, { operation, actor: label, object, outcome: outcome ?? 'ok', ...(details ? { details } : {}) });
      }
      return result;
    } catch (error) {
      const refused = error instanceof VaultError && (REFUSAL_CODES.has(error.code) || error.code === 'NOT_FOUND' || error.code === 'INVALID_INPUT');
      const code = error instanceof VaultError ? error.code : 'INTERNAL';
      const details: Record<string, unknown> = { code, reason: (error as Error).message };
      if (error instanceof VaultError && error.cause === 'not-own') details.code = 'ACCESS_REFUSED';
      await journal(this.ctx, { operation, actor: label, object, outcome: refused ? 'refused' : 'failed', details }).catch(() => undefined);
      throw error;
    }
  }
}

export function createVault(deps: VaultDependencies): Vault {
  return new Vault(deps);
}
