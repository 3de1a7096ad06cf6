/** RFC 5280 §5.3.1 CRLReason codes (7 is unused; removeFromCRL only belongs in delta CRLs). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(value: string): value is RevocationReason {
  return Object.hasOwn(REVOCATION_REASONS, value);
}

/** Canonical serial spelling shared with the CA store: lower-case hex, no leading zero byte. */
export function normaliseSerial(serialHex: string): string | null {
  const hex = serialHex.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 40) return null;
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.replace(/^(00)+(?=[0-9a-f]{2})/, '');
}
