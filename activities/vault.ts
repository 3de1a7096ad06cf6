/**
 * The vault's activities: thin adapters from the vault's workflows (workflows/vault.ts) to
 * vault/. The workflows import only the types of this file.
 */
import { Context } from '@temporalio/activity';
import type { AuditProgress } from '../vault/audit.ts';
import type { PreservationCandidate, PreservationOutcome } from '../vault/preservation.ts';
import type { Actor } from '../vault/types.ts';
import type { Vault } from '../vault/vault.ts';

export type { PreservationCandidate, PreservationOutcome };

export interface SealSummary {
  id: string;
  firstSeq: number;
  lastSeq: number;
  merkleRoot: string;
  tokenTime: string;
}

export interface AuditSummary {
  id: number;
  clean: boolean;
  errors: number;
  warnings: number;
  /** The first anomalies, in French; the whole report is in vault_audit. */
  anomalies: string[];
}

export interface VaultActivities {
  sealJournal(): Promise<SealSummary | null>;
  auditVault(): Promise<AuditSummary>;
  findPreservationCandidates(): Promise<PreservationCandidate[]>;
  preserveObject(objectId: string): Promise<PreservationOutcome>;
}

const engine = (name: string): Actor => ({ kind: 'system', name });

export function createVaultActivities(deps: { vault: Vault }): VaultActivities {
  const { vault } = deps;
  return {
    async sealJournal() {
      const seal = await vault.seal(engine('scellement'));
      return seal && { id: seal.id, firstSeq: seal.firstSeq, lastSeq: seal.lastSeq, merkleRoot: seal.merkleRoot, tokenTime: seal.tokenTime };
    },

    async auditVault() {
      const context = Context.current();
      let last = 0;
      // The heartbeat carries the progress (visible in the Temporal UI) and lets a lost worker be noticed.
      const onProgress = (p: AuditProgress): void => {
        const now = Date.now();
        if (now - last < 5_000) return;
        last = now;
        context.heartbeat(p);
      };
      const report = await vault.audit(engine('audit'), { onProgress });
      const errors = report.anomalies.filter((a) => a.severity === 'error').length;
      return { id: report.id, clean: report.clean, errors, warnings: report.anomalies.length - errors, anomalies: report.anomalies.slice(0, 100).map((a) => a.message) };
    },

    findPreservationCandidates: () => vault.preservationCandidates(engine('conservation')),

    preserveObject: (objectId) => vault.preserveObject(engine('conservation'), objectId),
  };
}
