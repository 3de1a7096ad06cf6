export { createDossierActivities, type DossierActivityDeps } from './dossier.ts';
