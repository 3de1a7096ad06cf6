import type { PolicyLevelMap, RgsLevel } from '../../certs/policies.ts';
import type { RevocationFetcher } from '../../certs/validation/index.ts';
import type { VerifyLimits } from './limits.ts';

export interface VerifyOptions {
  /** Trusted roots (DER). */
  trustAnchors: Uint8Array[];
  /** Extra untrusted intermediates (DER). */
  intermediates?: Uint8Array[];
  /** Extra revocation data the caller holds (DER CRLs and OCSP responses), used beside the embedded data. */
  crls?: Uint8Array[];
  ocspResponses?: Uint8Array[];
  /** Validation time when nothing proves an earlier one; now by default. */
  time?: Date;
  requiredRgsLevel?: RgsLevel;
  policyMap?: PolicyLevelMap;
  /** Online revocation fetching; nothing is fetched without it. */
  fetchRevocation?: RevocationFetcher;
  limits?: Partial<VerifyLimits>;
  /** Shown in the report. */
  fileName?: string;
}
