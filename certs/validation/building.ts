/** Candidate paths from a certificate to a trust anchor, by name chaining and key identifiers. */
import { sameBytes, type ParsedCertificate } from '../../asn1/index.ts';

const MAX_CANDIDATE_PATHS = 32;
/** Certificates examined while building paths: many same-name CAs must not make the search explode. */
const MAX_SEARCH_STEPS = 2000;

/** The same certificate, or the same entity: same name and same key. */
export function sameEntity(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a === b || sameBytes(a.der, b.der) || (a.subjectKey === b.subjectKey && sameBytes(a.spki, b.spki));
}

/** A candidate issuer must carry the subject's issuer name and, when both identifiers exist, the right key id. */
function mayIssue(candidate: ParsedCertificate, cert: ParsedCertificate): boolean {
  if (candidate.subjectKey !== cert.issuerKey) return false;
  return !(cert.authorityKeyId && candidate.subjectKeyId && cert.authorityKeyId !== candidate.subjectKeyId);
}

/** Depth-first search leaf → anchor; a path ends at the first anchor it reaches; cycles and depth bounded. */
export function buildPaths(leaf: ParsedCertificate, pool: ParsedCertificate[], anchors: ParsedCertificate[], maxLength: number): ParsedCertificate[][] {
  const found: ParsedCertificate[][] = [];
  // The same certificate often arrives twice (in the CMS and the DSS, as an anchor and an intermediate): one candidate each.
  const issuers = [...new Set([...anchors, ...pool])];
  let steps = 0;
  const walk = (path: ParsedCertificate[]): void => {
    if (found.length >= MAX_CANDIDATE_PATHS || ++steps > MAX_SEARCH_STEPS) return;
    const current = path[path.length - 1]!;
    if (anchors.some((a) => sameEntity(a, current))) {
      found.push(path);
      return;
    }
    if (path.length >= maxLength) return;
    const candidates = issuers.filter((c) => mayIssue(c, current) && !path.some((p) => sameEntity(p, c)));
    for (const candidate of candidates) walk([...path, candidate]);
  };
  walk([leaf]);
  return found;
}

/** For the error message: how far name chaining goes before it breaks. */
export function deepestIssuer(leaf: ParsedCertificate, pool: ParsedCertificate[], maxLength: number): ParsedCertificate {
  let current = leaf;
  const seen = new Set<ParsedCertificate>([leaf]);
  for (let i = 0; i < maxLength; i++) {
    const next = pool.find((c) => mayIssue(c, current) && !seen.has(c));
    if (!next) break;
    seen.add(next);
    current = next;
  }
  return current;
}
