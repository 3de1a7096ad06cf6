/**
 * Each top-level command's one-line description, shared by `passeport --help` (which lists
 * them without loading any family) and by the family that registers the command.
 */
export const SUMMARY = {
  start: 'Démarre le moteur : base de données, Temporal, worker et API (Ctrl-C pour arrêter)',
  worker: 'Démarre un worker Temporal seul (TEMPORAL_ADDRESS et la base de données requis ; voir docs/scaling.md)',
  api: 'Démarre l’API HTTP seule (TEMPORAL_ADDRESS et la base de données requis ; voir docs/scaling.md)',
  db: 'Base de données : migrations et données de démonstration',
  accounts: 'Comptes des personnes (pages web) : créer, lister, désactiver',
  pki: 'Infrastructure de clés : autorités de certification, certificats, jetons',
  sign: 'Signe un PDF (PAdES B-B, B-T, B-LT ou B-LTA) par mise à jour incrémentale, ou le contrat d’un dossier (--dossier)',
  extend: 'Ajoute les données de validation (B-LT) puis un horodatage de document (B-LTA)',
  verify: 'Vérifie les signatures et horodatages de fichiers PDF (PAdES, PKCS#7)',
  demo: 'Un dossier de démonstration de bout en bout : dépôt, accord, lettre scellée, trois signatures, contrat B-LTA archivé (avec « passeport start » lancé)',
  ceremony: 'Signature des contrats : signataires et cachets des organisations',
  vault: 'Coffre-fort électronique : dépôt, consultation, audit, conservation, export',
} as const;

export type CommandName = keyof typeof SUMMARY;
