/**
 * The vault's scheduled work (temporal/vault-schedules.ts starts them): sealing the journal,
 * the full audit, and preservation of archived signed PDFs. Deterministic: activities only.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { AuditSummary, PreservationOutcome, SealSummary, VaultActivities } from '../activities/vault.ts';

const { sealJournal } = proxyActivities<VaultActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

const { auditVault } = proxyActivities<VaultActivities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', maximumAttempts: 3 },
});

const { findPreservationCandidates, preserveObject } = proxyActivities<VaultActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 minute', maximumInterval: '1 hour', maximumAttempts: 10 },
});

/** Objects extended per run; the next run (continued as new) finds the rest. */
const PRESERVATION_BATCH = 200;

export async function vaultSealWorkflow(): Promise<SealSummary | null> {
  return sealJournal();
}

export async function vaultAuditWorkflow(): Promise<AuditSummary> {
  return auditVault();
}

export async function vaultPreservationWorkflow(): Promise<PreservationOutcome[]> {
  const candidates = await findPreservationCandidates();
  const outcomes: PreservationOutcome[] = [];
  for (const candidate of candidates.slice(0, PRESERVATION_BATCH)) outcomes.push(await preserveObject(candidate.objectId));
  // Extended objects drop out of the candidates: the next run starts on what is left, with a fresh history.
  if (candidates.length > PRESERVATION_BATCH) await continueAsNew<typeof vaultPreservationWorkflow>();
  return outcomes;
}
