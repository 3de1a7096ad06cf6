/** Who calls the engine: every API key carries one of these roles. */
/** creator: the créateur (dirigeant) of a company, whose organisation is the company's SIREN; signs the contract. */
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
