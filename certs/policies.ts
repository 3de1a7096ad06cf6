/**
 * Certificate policy OIDs and their RGS levels.
 *
 * RGS defines no OID per level: each CA publishes its own. The engine's arc is
 * derived from a UUID (ITU-T X.667, arc 2.25), so it needs no registration:
 *   2.25.283787995737982372574867160881503373376           Passeport engine
 *     .1      certificate policies
 *       .1.1  RGS *   person signature (software key)
 *       .1.2  RGS **  person signature (hardware token)
 *       .1.3  RGS *** person signature (qualified device)
 *       .1.4  RGS *** organisation seal (cachet)
 *       .1.5  authentication certificates (no signature level)
 *       .1.6  OCSP responder certificates
 *       .1.7  timestamping unit (TSA) certificates
 *     .2      timestamping policy of the engine's TSA
 */
import { PkiError } from './errors.ts';

export const ENGINE_ARC = '2.25.283787995737982372574867160881503373376';

export const POLICY_OIDS = {
  rgs1: `${ENGINE_ARC}.1.1`,
  rgs2: `${ENGINE_ARC}.1.2`,
  rgs3: `${ENGINE_ARC}.1.3`,
  seal3: `${ENGINE_ARC}.1.4`,
  authentication: `${ENGINE_ARC}.1.5`,
  ocspResponder: `${ENGINE_ARC}.1.6`,
  tsaUnit: `${ENGINE_ARC}.1.7`,
  tsa: `${ENGINE_ARC}.2`,
} as const;

/** ETSI EN 319 421 baseline time-stamp policy. */
export const ETSI_BASELINE_TSA_POLICY = '0.4.0.2023.1.1';

export type RgsLevel = 1 | 2 | 3;

/** Policy OID → RGS level, for the engine's CA and external ones (configurable). */
export type PolicyLevelMap = Readonly<Record<string, RgsLevel>>;

export const DEFAULT_POLICY_MAP: PolicyLevelMap = {
  [POLICY_OIDS.rgs1]: 1,
  [POLICY_OIDS.rgs2]: 2,
  [POLICY_OIDS.rgs3]: 3,
  [POLICY_OIDS.seal3]: 3,
};

/**
 * Reads an extra map from `OID=LEVEL,OID=LEVEL` (the PASSEPORT_POLICY_MAP setting)
 * and merges it over the defaults.
 */
export function parsePolicyMap(text: string | undefined, base: PolicyLevelMap = DEFAULT_POLICY_MAP): PolicyLevelMap {
  const map: Record<string, RgsLevel> = { ...base };
  for (const entry of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(\d+(?:\.\d+)+)=([123])$/.exec(entry);
    if (!match) throw new PkiError('INVALID_POLICY_MAP', `Entrée invalide « ${entry} » dans la correspondance des politiques : OID=1, OID=2 ou OID=3 attendu.`);
    map[match[1]!] = Number(match[2]) as RgsLevel;
  }
  return map;
}

/** The highest RGS level any of the certificate's policies maps to, or null. */
export function rgsLevelOf(policyOids: readonly string[], map: PolicyLevelMap = DEFAULT_POLICY_MAP): RgsLevel | null {
  let best: RgsLevel | null = null;
  for (const oid of policyOids) {
    const level = map[oid];
    if (level !== undefined && (best === null || level > best)) best = level;
  }
  return best;
}
