import { Asn1Error, OID, sameBytes, tryParseCertificate, type ParsedCertificate } from '../../asn1/index.ts';
import { parseCrl, type ParsedCrl } from './crl.ts';
import { combineCrlVerdicts, covers, crlVerdicts, type CrlEnvironment, type CrlVerdict } from './crl-status.ts';
import { formatDate } from './dates.ts';
import { signedWith } from './signatures.ts';
import { buildOcspRequest, parseOcspResponse, responderKeyHashOf, responsesFor, type ParsedOcsp } from './ocsp.ts';
import type { CertificateRevocation, PathSubIndication, RevocationFetcher } from './types.ts';

/** Decides whether a CRL issuer may speak for path[index]; `depth` counts CRL issuer paths being validated. */
export type CrlIssuerTrust = (signer: ParsedCertificate, path: ParsedCertificate[], index: number, depth: number) => Promise<string | null>;

/** Revocation data shared by every certificate of one validation, parsed once. */
export class RevocationContext implements CrlEnvironment {
  readonly crls: ParsedCrl[] = [];
  readonly ocsp: ParsedOcsp[] = [];
  readonly notes: string[] = [];
  readonly usedCrls = new Set<Uint8Array>();
  readonly usedOcsp = new Set<Uint8Array>();

  constructor(
    readonly time: Date,
    crls: Uint8Array[],
    ocsp: Uint8Array[],
    /** Certificates that may have signed revocation data: intermediates and anchors. */
    readonly certificates: ParsedCertificate[],
    readonly trustCrlIssuer: CrlIssuerTrust,
    readonly fetch?: RevocationFetcher,
  ) {
    crls.forEach((der, i) => this.addCrl(der, `LCR n° ${i + 1}`));
    ocsp.forEach((der, i) => this.addOcsp(der, `réponse OCSP n° ${i + 1}`));
  }

  addCrl(der: Uint8Array, label: string): ParsedCrl | null {
    try {
      const crl = parseCrl(der);
      this.crls.push(crl);
      return crl;
    } catch (error) {
      this.notes.push(`${label} ignorée : ${(error as Error).message}`);
      return null;
    }
  }

  addOcsp(der: Uint8Array, label: string): ParsedOcsp | null {
    try {
      const ocsp = parseOcspResponse(der);
      this.ocsp.push(ocsp);
      return ocsp;
    } catch (error) {
      this.notes.push(`${label} ignorée : ${(error as Error).message}`);
      return null;
    }
  }

  /** An unusable algorithm or key counts as a signature that does not verify. */
  signedBy(object: ParsedCrl | ParsedOcsp | ParsedCertificate, signer: ParsedCertificate): boolean {
    try {
      return signedWith(object, signer);
    } catch {
      return false;
    }
  }
}

interface Evidence {
  status: 'good' | 'revoked' | 'revoked-after';
  source: 'crl' | 'ocsp';
  revokedAt?: Date;
  reason?: string;
  ders: Uint8Array[];
}

interface Gathered {
  evidence: Evidence[];
  /** Data about the certificate existed but was issued after it expired. */
  outOfBounds: boolean;
}

export interface RevocationOutcome {
  record: CertificateRevocation;
  failure?: { sub: PathSubIndication; reason: string };
}

/** CRL verdicts become evidence only together: good needs every reason covered. */
function fromCrlVerdicts(verdicts: CrlVerdict[], cert: ParsedCertificate, ctx: RevocationContext, out: Gathered): void {
  const combined = combineCrlVerdicts(verdicts);
  if (combined.outOfBounds) out.outOfBounds = true;
  const { revoked, good } = combined;
  if (revoked) {
    out.evidence.push({ status: 'revoked', source: 'crl', revokedAt: revoked.revokedAt!, ...(revoked.reason ? { reason: revoked.reason } : {}), ders: revoked.ders });
  } else if (good?.later) {
    const later = good.later;
    out.evidence.push({ status: 'revoked-after', source: 'crl', revokedAt: later.revokedAt!, ...(later.reason ? { reason: later.reason } : {}), ders: good.ders });
  } else if (good) {
    out.evidence.push({ status: 'good', source: 'crl', ders: good.ders });
  } else if (combined.partial) {
    ctx.notes.push(`les LCR disponibles pour « ${cert.subject} » ne couvrent pas tous les motifs de révocation`);
  }
}

/** The certificate that signed an OCSP response, if it is entitled to speak for `issuer`. */
function ocspSigner(ocsp: ParsedOcsp, issuer: ParsedCertificate, ctx: RevocationContext): ParsedCertificate | string {
  const named = (c: ParsedCertificate) =>
    ocsp.responderNameKey !== undefined ? c.subjectKey === ocsp.responderNameKey : ocsp.responderKeyHash !== undefined && sameBytes(responderKeyHashOf(c), ocsp.responderKeyHash);
  const embedded = ocsp.certificates.map(tryParseCertificate).filter((c): c is ParsedCertificate => !(c instanceof Asn1Error));
  const candidates = [issuer, ...embedded, ...ctx.certificates].filter(named);
  if (candidates.length === 0) return "le certificat du répondeur n'est pas fourni";
  let problem = 'aucun répondeur autorisé';
  for (const candidate of candidates) {
    if (sameBytes(candidate.spki, issuer.spki)) {
      if (ctx.signedBy(ocsp, candidate)) return candidate;
      problem = `sa signature ne se vérifie pas avec la clé de « ${issuer.subject} »`;
      continue;
    }
    if (candidate.issuerKey !== issuer.subjectKey) {
      problem = `le répondeur « ${candidate.subject} » n'est pas émis par « ${issuer.subject} »`;
      continue;
    }
    if (!ctx.signedBy(candidate, issuer)) {
      problem = `le certificat du répondeur « ${candidate.subject} » n'est pas signé par « ${issuer.subject} »`;
      continue;
    }
    if (!candidate.extKeyUsage?.oids.includes(OID.ocspSigning)) {
      problem = `le répondeur délégué « ${candidate.subject} » n'a pas l'usage étendu OCSPSigning`;
      continue;
    }
    if (ocsp.producedAt < candidate.notBefore || ocsp.producedAt > candidate.notAfter) {
      problem = `le certificat du répondeur « ${candidate.subject} » n'était pas valable le ${formatDate(ocsp.producedAt)}`;
      continue;
    }
    if (!ctx.signedBy(ocsp, candidate)) {
      problem = `sa signature ne se vérifie pas avec la clé du répondeur « ${candidate.subject} »`;
      continue;
    }
    return candidate;
  }
  return problem;
}

function fromOcsp(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: RevocationContext, list: ParsedOcsp[], out: Gathered): void {
  for (const ocsp of list) {
    const singles = responsesFor(ocsp, cert, issuer);
    if (singles.length === 0) continue;
    const label = `la réponse OCSP du ${formatDate(ocsp.producedAt)}`;
    const signer = ocspSigner(ocsp, issuer, ctx);
    if (typeof signer === 'string') {
      ctx.notes.push(`${label} n'est pas utilisée : ${signer}`);
      continue;
    }
    for (const single of singles) {
      if (single.status === 'revoked' && single.revokedAt) {
        const after = single.revokedAt.getTime() > ctx.time.getTime();
        out.evidence.push({
          status: after ? 'revoked-after' : 'revoked',
          source: 'ocsp',
          revokedAt: single.revokedAt,
          ...(single.reason ? { reason: single.reason } : {}),
          ders: [ocsp.der],
        });
      } else if (single.status === 'unknown') {
        ctx.notes.push(`${label} : le répondeur ne connaît pas « ${cert.subject} » (statut unknown)`);
      } else if (!covers(single.thisUpdate, single.nextUpdate, ctx.time)) {
        ctx.notes.push(`${label} était périmée à la date de validation`);
      } else if (single.thisUpdate > cert.notAfter) {
        out.outOfBounds = true;
        ctx.notes.push(`${label} a été produite après l'expiration de « ${cert.subject} »`);
      } else {
        out.evidence.push({ status: 'good', source: 'ocsp', ders: [ocsp.der] });
      }
    }
  }
}

/** Calls the caller's fetcher; a throw, a rejection or a non-byte answer becomes a note. */
async function safeFetch(ctx: RevocationContext, url: string, kind: 'crl' | 'ocsp', request?: Uint8Array): Promise<Uint8Array | null> {
  const fetch = ctx.fetch!;
  try {
    const bytes = await fetch(url, kind, request);
    if (bytes !== null && !(bytes instanceof Uint8Array)) throw new Error('réponse qui n’est pas une suite d’octets');
    return bytes;
  } catch (error) {
    ctx.notes.push(`${kind === 'ocsp' ? 'interrogation OCSP de' : 'téléchargement de la LCR'} ${url} impossible : ${(error as Error).message}`);
    return null;
  }
}

async function fetchMore(path: ParsedCertificate[], index: number, ctx: RevocationContext, verdicts: CrlVerdict[], depth: number, out: Gathered): Promise<void> {
  if (!ctx.fetch) return;
  const cert = path[index]!;
  const issuer = path[index + 1]!;
  for (const url of cert.ocspUrls) {
    const bytes = await safeFetch(ctx, url, 'ocsp', buildOcspRequest(cert, issuer));
    const ocsp = bytes && ctx.addOcsp(bytes, `réponse OCSP de ${url}`);
    if (ocsp) fromOcsp(cert, issuer, ctx, [ocsp], out);
    if (out.evidence.length > 0) return;
  }
  for (const url of cert.crlUrls) {
    const bytes = await safeFetch(ctx, url, 'crl');
    const crl = bytes && ctx.addCrl(bytes, `LCR de ${url}`);
    if (!crl) continue;
    verdicts.push(...(await crlVerdicts(path, index, ctx, [crl], depth)));
    fromCrlVerdicts(verdicts, cert, ctx, out);
    if (out.evidence.length > 0) return;
  }
}

const SOURCE = { crl: 'la LCR', ocsp: 'la réponse OCSP' } as const;

/** The revocation status of path[index] (issued by path[index + 1]) at the context's time, from CRLs and OCSP, fetched when allowed. */
export async function checkRevocation(path: ParsedCertificate[], index: number, ctx: RevocationContext, required: boolean, depth: number): Promise<RevocationOutcome> {
  const cert = path[index]!;
  const issuer = path[index + 1]!;
  const base = { subject: cert.subject, serialNumber: cert.serialNumber };
  const gathered: Gathered = { evidence: [], outOfBounds: false };
  fromOcsp(cert, issuer, ctx, ctx.ocsp, gathered);
  const verdicts = await crlVerdicts(path, index, ctx, ctx.crls, depth);
  fromCrlVerdicts(verdicts, cert, ctx, gathered);
  if (gathered.evidence.length === 0) await fetchMore(path, index, ctx, verdicts, depth, gathered);

  const revoked = gathered.evidence.filter((e) => e.status === 'revoked').sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime())[0];
  const use = (e: Evidence) => e.ders.forEach((der) => (e.source === 'crl' ? ctx.usedCrls : ctx.usedOcsp).add(der));
  if (revoked) {
    use(revoked);
    const reason = revoked.reason ? ` (motif : ${revoked.reason})` : '';
    return {
      record: { ...base, status: 'revoked', source: revoked.source, revokedAt: revoked.revokedAt!, ...(revoked.reason ? { reason: revoked.reason } : {}) },
      failure: {
        sub: 'REVOKED',
        reason: `le certificat « ${cert.subject} » a été révoqué le ${formatDate(revoked.revokedAt!)}${reason}, avant la date de validation ${formatDate(ctx.time)}, d'après ${SOURCE[revoked.source]}`,
      },
    };
  }
  const later = gathered.evidence.find((e) => e.status === 'revoked-after');
  const good = later ?? gathered.evidence.find((e) => e.status === 'good');
  if (good) {
    use(good);
    if (later) {
      ctx.notes.push(
        `le certificat « ${cert.subject} » a été révoqué après la date de validation, le ${formatDate(later.revokedAt!)}${later.reason ? ` (motif : ${later.reason})` : ''} : il était valable au ${formatDate(ctx.time)}`,
      );
      return {
        record: { ...base, status: 'good', source: later.source, revokedAt: later.revokedAt!, revokedAfterTime: true, ...(later.reason ? { reason: later.reason } : {}) },
      };
    }
    return { record: { ...base, status: 'good', source: good.source } };
  }
  const record: CertificateRevocation = { ...base, status: 'unknown' };
  if (!required) {
    ctx.notes.push(`statut de révocation de « ${cert.subject} » inconnu (non exigé pour ce certificat)`);
    return { record };
  }
  const sub: PathSubIndication = gathered.outOfBounds ? 'REVOCATION_OUT_OF_BOUNDS_NO_POE' : 'TRY_LATER';
  return {
    record,
    failure: {
      sub,
      reason: `aucune information de révocation utilisable pour « ${cert.subject} » à la date ${formatDate(ctx.time)}${sub === 'TRY_LATER' ? ' : réessayer quand une LCR ou une réponse OCSP plus récente sera disponible' : ''}`,
    },
  };
}
