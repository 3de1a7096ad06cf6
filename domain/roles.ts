/**
 * Who calls the engine: every API key and every person's account carries one of
 * these roles. The créateur belongs to their company (an organisation whose
 * identifier is its SIREN) and reads only that company's dossiers.
 */
export const ROLES = ['reseller', 'bank', 'archivist', 'admin', 'creator'] as const;
export type Role = (typeof ROLES)[number];

/** The role's name for people (error messages, CLI). */
export const ROLE_LABEL: Record<Role, string> = {
  reseller: 'revendeur',
  bank: 'banque',
  archivist: 'archiviste',
  admin: 'administrateur',
  creator: 'créateur',
};
