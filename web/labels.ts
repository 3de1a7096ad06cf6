/** The engine's codes as the pages name them, in plain French. */
import type { DeclineCode, DossierStatus, HardCaseCode } from '../domain/codes.ts';
import type { EquipmentCategory } from '../domain/dossier.ts';
import type { FinalDecision } from '../domain/outcomes.ts';
import type { Periodicity, Product } from '../domain/financing.ts';

export const STATUS_LABEL: Record<DossierStatus, string> = {
  received: 'Reçu, contrôles en cours',
  ineligible: 'Irrecevable',
  awaiting_analyst: 'À l’étude à la banque',
  approved: 'Accordé',
  declined: 'Refusé',
};

/** The badge's colour class. */
export const STATUS_TONE: Record<DossierStatus, 'info' | 'warn' | 'ok' | 'ko'> = {
  received: 'info',
  ineligible: 'ko',
  awaiting_analyst: 'warn',
  approved: 'ok',
  declined: 'ko',
};

export const DECIDED_BY_LABEL: Record<FinalDecision['decidedBy'], string> = {
  rule: 'accord automatique : le dossier ne présente aucune difficulté',
  analyst: 'décision d’un analyste de la banque',
  deadline: 'décision par défaut : la banque n’a pas répondu dans le délai',
  policy: 'refus automatique prévu par la politique de la banque',
};

export const DECLINE_LABEL: Record<DeclineCode, string> = {
  risk: 'Risque trop élevé',
  sector: 'Secteur d’activité',
  dirigeant: 'Situation du dirigeant',
  guarantee: 'Garantie non obtenue',
  financial_situation: 'Situation financière de l’entreprise',
  other: 'Autre motif',
  deadline_expired: 'Analyse non faite dans le délai',
  automatic_exclusion: 'Exclusion automatique',
};

export const HARD_CASE_LABEL: Record<HardCaseCode, string> = {
  risky_sector: 'Secteur à risque pour la banque',
  guarantee_excluded_sector: 'Secteur exclu de la garantie',
  excluded_person: 'Dirigeant inscrit au registre des exclusions',
  dirigeant_060: 'Dirigeant : 3 liquidations ou plus en 5 ans',
  above_delegation_ceiling: 'Montant au-dessus du plafond de délégation',
  collective_procedure: 'Entreprise en procédure collective',
  guarantee_outstanding_cap: 'Plafond d’encours garanti dépassé',
  guarantee_refused: 'Garantie refusée',
};

export const CATEGORY_LABEL: Record<EquipmentCategory, string> = {
  poste_de_travail: 'Poste de travail',
  portable: 'Ordinateur portable',
  serveur: 'Serveur',
  impression_numerisation: 'Impression et numérisation',
  reseau_telecom: 'Réseau et télécoms',
  logiciel: 'Logiciel',
  securite: 'Sécurité',
  dematerialisation: 'Dématérialisation (certificat, signature, coffre-fort)',
  services: 'Services (installation, formation, Référent TIC)',
};

export const PRODUCT_LABEL: Record<Product, string> = {
  credit_bail: 'Crédit-bail (avec option d’achat à la fin)',
  location_financiere: 'Location financière (sans option d’achat)',
};

export const PERIODICITY_LABEL: Record<Periodicity, { adjective: string; noun: string; plural: string }> = {
  monthly: { adjective: 'mensuel', noun: 'mois', plural: 'loyers mensuels' },
  quarterly: { adjective: 'trimestriel', noun: 'trimestre', plural: 'loyers trimestriels' },
};
