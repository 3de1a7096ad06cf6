import { PasseportError } from '../errors/index.ts';

/**
 * What the ceremony cannot find to work on (docs/errors.md). A refusal of a signing
 * step is a SigningRefused (signer-check.ts), with the codes of domain/ceremony.ts.
 */
export type CeremonyErrorCode =
  /** The dossier, or its protocol, is not (yet) in the database. */
  | 'CEREMONY_DOSSIER_UNKNOWN'
  /** The dossier has no contract, or no ceremony, yet. */
  | 'CEREMONY_NO_CONTRACT';

export class CeremonyError extends PasseportError<CeremonyErrorCode> {}
