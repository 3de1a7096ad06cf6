/** The coffre-fort (docs/vault.md): deposit, storage, chained journal, seals, audit, retention, preservation, export. */
export { Vault, createVault, type VaultDependencies, type DepositOptions, type ReadEntry } from './vault.ts';
export { VaultError, type VaultErrorCode, REFUSAL_CODES } from './errors.ts';
export type { Actor, DepositPackage, DepositResult, JournalEntry, LegalHold, ObjectRecord, Operation, Party, PartyRole, SealRecord, SearchFilter } from './types.ts';
export { PARTY_ROLES, OPERATIONS, actorLabel } from './types.ts';
export type { AuditReport, AuditProgress, Anomaly } from './audit.ts';
export type { ObjectCheck } from './check.ts';
export type { ExportRequest, ExportResult } from './export.ts';
export type { PreservationCandidate, PreservationOutcome } from './preservation.ts';
export type { VaultPorts, Timestamper, SignatureVerifier, PdfExtender, SignatureVerdict, TimestampCheck } from './ports.ts';
export { FilesystemStore } from './storage/filesystem.ts';
export type { ObjectStore } from './storage/store.ts';
export { mayPerform, mayAccessObject, isOwnDocument } from './access.ts';
export { DEFAULT_SETTINGS, SEAL_CLASS, settingsFromEnv, locationsFromEnv, type VaultSettings, type VaultEnv } from './config.ts';
