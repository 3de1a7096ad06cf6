/** Who calls the engine: every API key carries one of these roles. */
export const ROLES = ['reseller', 'bank', 'archivist', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The role's name for people (error messages, CLI). */
export const ROLE_LABEL: Record<Role, string> = {
  reseller: 'revendeur',
  bank: 'banque',
  archivist: 'archiviste',
  admin: 'administrateur',
};
