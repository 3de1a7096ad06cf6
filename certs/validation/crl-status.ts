/**
 * RFC 5280 §6.3: what CRLs say about one certificate of a path. Each complete CRL is
 * used only within its scope — the certificate's distribution points against the
 * CRL's issuingDistributionPoint, onlyContains… flags, reason partitions, indirect
 * CRLs (cRLIssuer, certificateIssuer entries) — with the delta CRL that updates it,
 * once its issuer is found and trusted through a path to the same anchor (the CA's
 * key, another key of the same CA, or a delegated CRL issuer).
 */
import { Asn1Error, parseName, sameBytes, type ParsedCertificate } from '../../asn1/index.ts';
import { serialKeyOf, type CrlEntry, type ParsedCrl } from './crl.ts';
import { formatDate } from './dates.ts';
import { pathExtensionsOf } from './extensions.ts';
import { ALL_REASONS, distributionPointNames, sameGeneralName, type DistributionPoint, type GeneralName, type ReasonMask } from './general-names.ts';

/** What one complete CRL (with its delta) established. */
export interface CrlVerdict {
  status: 'good' | 'revoked' | 'revoked-after';
  /** The reasons it covers for this certificate (§6.3.3 d). */
  reasons: ReasonMask;
  revokedAt?: Date;
  reason?: string;
  /** The complete CRL, and the delta CRL when one was used. */
  ders: Uint8Array[];
  /** Issued after the certificate expired: its silence proves nothing (REVOCATION_OUT_OF_BOUNDS). */
  outOfBounds?: boolean;
}

/** What the CRL checks need from the validation around them. */
export interface CrlEnvironment {
  time: Date;
  /** Every CRL at hand, delta CRLs included. */
  crls: readonly ParsedCrl[];
  /** Certificates that may have issued a CRL: intermediates and anchors. */
  certificates: readonly ParsedCertificate[];
  notes: string[];
  signedBy(crl: ParsedCrl, signer: ParsedCertificate): boolean;
  /**
   * Null when `signer`, outside the path above path[index], may vouch for CRLs about it
   * (validated to the same anchor), else why not; `depth` counts the CRL issuer paths
   * already being validated.
   */
  trustCrlIssuer(signer: ParsedCertificate, path: ParsedCertificate[], index: number, depth: number): Promise<string | null>;
}

export const covers = (thisUpdate: Date, nextUpdate: Date | undefined, time: Date): boolean =>
  thisUpdate.getTime() >= time.getTime() || (nextUpdate !== undefined && nextUpdate.getTime() >= time.getTime());

const label = (crl: ParsedCrl): string => `la LCR${crl.isDelta ? ' delta' : ''} de « ${crl.issuer} » du ${formatDate(crl.thisUpdate)}`;

/** The verdicts of the complete CRLs in `list` about path[index]. */
export async function crlVerdicts(path: ParsedCertificate[], index: number, env: CrlEnvironment, list: readonly ParsedCrl[], depth: number): Promise<CrlVerdict[]> {
  const cert = path[index]!;
  const ext = pathExtensionsOf(cert);
  const points = ext instanceof Asn1Error ? undefined : ext.distributionPoints;
  const serial = serialKeyOf(cert);
  const verdicts: CrlVerdict[] = [];
  const usedDeltas = new Set<ParsedCrl>();
  const issuers = possibleIssuers(cert, points);
  for (const crl of list) {
    if (crl.isDelta || !issuers.includes(crl.issuerKey)) continue;
    const reasons = scope(crl, cert, points);
    if (reasons === null) continue;
    if (typeof reasons === 'string') {
      env.notes.push(`${label(crl)} n'est pas utilisée pour « ${cert.subject} » : ${reasons}`);
      continue;
    }
    if (crl.unsupported) {
      env.notes.push(`${label(crl)} n'est pas utilisée : ${crl.unsupported}`);
      continue;
    }
    const signer = await crlIssuer(crl, path, index, env, depth);
    if (typeof signer === 'string') {
      env.notes.push(`${label(crl)} n'est pas utilisée : ${signer}`);
      continue;
    }
    const delta = deltaFor(crl, signer, env);
    if (delta) usedDeltas.add(delta);
    let entry: CrlEntry | undefined;
    try {
      entry = delta?.entry(cert.issuerKey, serial) ?? crl.entry(cert.issuerKey, serial);
    } catch (error) {
      env.notes.push(`${label(crl)} n'est pas utilisée : ${(error as Error).message}`);
      continue;
    }
    const ders = delta ? [crl.der, delta.der] : [crl.der];
    // removeFromCRL (a delta CRL lifting a hold) means not revoked.
    if (entry && entry.reason !== 'removeFromCRL') {
      const after = entry.revokedAt.getTime() > env.time.getTime();
      verdicts.push({ status: after ? 'revoked-after' : 'revoked', reasons, revokedAt: entry.revokedAt, ...(entry.reason ? { reason: entry.reason } : {}), ders });
      continue;
    }
    if (!covers(crl.thisUpdate, crl.nextUpdate, env.time) && !(delta && covers(delta.thisUpdate, delta.nextUpdate, env.time))) {
      env.notes.push(`${label(crl)} était périmée à la date de validation (prochaine mise à jour : ${crl.nextUpdate ? formatDate(crl.nextUpdate) : 'non indiquée'})`);
      continue;
    }
    const issued = delta?.thisUpdate ?? crl.thisUpdate;
    if (issued > cert.notAfter && !crl.expiredCertsOnCrl) {
      env.notes.push(`${label(crl)} a été émise après l'expiration de « ${cert.subject} » : son silence ne prouve rien`);
      verdicts.push({ status: 'good', reasons: 0, ders, outOfBounds: true });
      continue;
    }
    verdicts.push({ status: 'good', reasons, ders });
  }
  for (const delta of list) {
    if (delta.isDelta && delta.issuerKey === cert.issuerKey && !usedDeltas.has(delta)) {
      env.notes.push(`${label(delta)} n'est pas utilisée : aucune LCR complète utilisable qu'elle mette à jour`);
    }
  }
  return verdicts;
}

/** Name keys a CRL about `cert` may be issued under: its issuer, and the cRLIssuer of its distribution points. */
function possibleIssuers(cert: ParsedCertificate, points: DistributionPoint[] | undefined): string[] {
  const keys = [cert.issuerKey];
  for (const point of points ?? []) {
    for (const name of point.crlIssuer ?? []) if (name.type === 'directory') keys.push(name.name.key);
  }
  return keys;
}

/**
 * §6.3.3 (b) and (d): the reasons `crl` covers for `cert` over all its distribution
 * points; null when the CRL is about other certificates altogether, a sentence when it
 * is the issuer's but out of scope.
 */
function scope(crl: ParsedCrl, cert: ParsedCertificate, points: DistributionPoint[] | undefined): ReasonMask | string | null {
  const idp = crl.idp;
  let reasons: ReasonMask = 0;
  let why: string | null = null;
  // No cRLDistributionPoints: one implicit point, the CRL issuer being the certificate issuer.
  for (const point of points ?? [{}]) {
    const crlIssuers = point.crlIssuer?.filter((n): n is Extract<GeneralName, { type: 'directory' }> => n.type === 'directory');
    if (point.crlIssuer) {
      if (!crlIssuers!.some((n) => n.name.key === crl.issuerKey)) continue;
      if (!idp?.indirect) {
        why = 'le certificat la désigne comme émetteur de LCR (cRLIssuer), mais elle ne se déclare pas indirecte';
        continue;
      }
    } else if (crl.issuerKey !== cert.issuerKey) {
      continue;
    }
    if (idp?.name) {
      const crlNames = distributionPointNames(idp.name, [crl.issuerDer]);
      const certNames: GeneralName[] = point.name
        ? distributionPointNames(point.name, crlIssuers?.length ? crlIssuers.map((n) => n.der) : [cert.issuerDer])
        : (point.crlIssuer ?? [{ type: 'directory', name: parseName(cert.issuerDer), der: cert.issuerDer }]);
      if (!crlNames.some((a) => certNames.some((b) => sameGeneralName(a, b)))) {
        why = 'son point de distribution (issuingDistributionPoint) n’est pas un de ceux du certificat';
        continue;
      }
    }
    reasons |= (idp?.onlySomeReasons ?? ALL_REASONS) & (point.reasons ?? ALL_REASONS);
  }
  if (reasons === 0) return why;
  const isCa = cert.basicConstraints?.ca === true;
  if (idp?.onlyUserCerts && isCa) return 'elle ne couvre que les certificats d’utilisateurs, pas ceux d’autorités';
  if (idp?.onlyCaCerts && !isCa) return 'elle ne couvre que les certificats d’autorités';
  if (idp?.onlyAttributeCerts) return 'elle ne couvre que les certificats d’attributs';
  return reasons;
}

/** §6.3.3 (f)-(g): the certificate whose key signed `crl` and that may speak for path[index], or why none. */
async function crlIssuer(crl: ParsedCrl, path: ParsedCertificate[], index: number, env: CrlEnvironment, depth: number): Promise<ParsedCertificate | string> {
  const candidates: ParsedCertificate[] = [];
  const consider = (c: ParsedCertificate) => {
    if (c.subjectKey !== crl.issuerKey || candidates.includes(c)) return;
    if (!(crl.authorityKeyId && c.subjectKeyId && crl.authorityKeyId !== c.subjectKeyId)) candidates.push(c);
  };
  for (let i = index + 1; i < path.length; i++) consider(path[i]!);
  const inPath = candidates.length;
  for (const c of env.certificates) consider(c);
  if (candidates.length === 0) return `le certificat de son émetteur « ${crl.issuer} » est introuvable`;
  let problem = '';
  for (const [i, candidate] of candidates.entries()) {
    if (candidate.keyUsage && !candidate.keyUsage.usages.includes('crlSign')) {
      problem = `l'émetteur « ${candidate.subject} » n'a pas l'usage de clé cRLSign`;
      continue;
    }
    if (!env.signedBy(crl, candidate)) {
      problem = `sa signature ne se vérifie pas avec la clé de « ${candidate.subject} »`;
      continue;
    }
    // A certificate of the path above is validated with it; any other needs its own path.
    const distrust = i < inPath ? null : await env.trustCrlIssuer(candidate, path, index, depth);
    if (distrust === null) return candidate;
    problem = distrust;
  }
  return problem;
}

/** §6.3.3 (c), (h): the newest current delta CRL that updates `crl`, signed by the same key. */
function deltaFor(crl: ParsedCrl, signer: ParsedCertificate, env: CrlEnvironment): ParsedCrl | undefined {
  const base = crl.crlNumber;
  if (base === undefined) return undefined;
  let best: ParsedCrl | undefined;
  for (const delta of env.crls) {
    if (!delta.isDelta || delta.issuerKey !== crl.issuerKey || delta.authorityKeyId !== crl.authorityKeyId) continue;
    if (!sameScope(delta, crl) || delta.deltaBase! > base || (delta.crlNumber !== undefined && delta.crlNumber <= base)) continue;
    if (delta.unsupported) {
      env.notes.push(`${label(delta)} n'est pas utilisée : ${delta.unsupported}`);
      continue;
    }
    if (!covers(delta.thisUpdate, delta.nextUpdate, env.time)) {
      env.notes.push(`${label(delta)} était périmée à la date de validation`);
      continue;
    }
    if (!env.signedBy(delta, signer)) {
      env.notes.push(`${label(delta)} n'est pas utilisée : sa signature ne se vérifie pas avec la clé de « ${signer.subject} »`);
      continue;
    }
    if (!best || (delta.crlNumber ?? 0n) > (best.crlNumber ?? 0n)) best = delta;
  }
  return best;
}

const sameScope = (a: ParsedCrl, b: ParsedCrl): boolean => (a.idp && b.idp ? sameBytes(a.idp.der, b.idp.der) : !a.idp && !b.idp);

/**
 * The status the verdicts establish together: revoked if any says so (the earliest);
 * otherwise good only when every reason is covered (§6.3.3: else UNDETERMINED).
 */
export function combineCrlVerdicts(verdicts: readonly CrlVerdict[]): {
  revoked?: CrlVerdict;
  good?: { ders: Uint8Array[]; later?: CrlVerdict };
  partial: boolean;
  outOfBounds: boolean;
} {
  const revoked = verdicts.filter((v) => v.status === 'revoked').sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime())[0];
  if (revoked) return { revoked, partial: false, outOfBounds: false };
  let covered: ReasonMask = 0;
  const ders = new Set<Uint8Array>();
  for (const v of verdicts) {
    if (v.outOfBounds) continue;
    covered |= v.reasons;
    for (const der of v.ders) ders.add(der);
  }
  const outOfBounds = verdicts.some((v) => v.outOfBounds);
  if (covered === ALL_REASONS) {
    const later = verdicts.find((v) => v.status === 'revoked-after');
    return { good: { ders: [...ders], ...(later ? { later } : {}) }, partial: false, outOfBounds };
  }
  return { partial: covered !== 0, outOfBounds };
}
