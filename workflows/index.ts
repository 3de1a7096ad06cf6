/** Every workflow the worker runs; the bundler starts from this file. */
export { dossierWorkflow } from './dossier.ts';
export { ceremonyWorkflow } from './ceremony.ts';
export { vaultSealWorkflow, vaultAuditWorkflow, vaultPreservationWorkflow } from './vault.ts';
