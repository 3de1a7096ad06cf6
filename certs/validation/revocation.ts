import { Asn1Error, OID, sameBytes, tryParseCertificate, verifySignatureCached, type ParsedCertificate } from '../../asn1/index.ts';
import { parseCrl, type ParsedCrl } from './crl.ts';
import { formatDate } from './dates.ts';
import { buildOcspRequest, parseOcspResponse, responderKeyHashOf, responsesFor, type ParsedOcsp } from './ocsp.ts';
import type { CertificateRevocation, PathSubIndication, RevocationFetcher } from './types.ts';

/** Revocation data shared by every certificate of one validation, parsed once. */
export class RevocationContext {
  readonly crls: ParsedCrl[] = [];
  readonly ocsp: ParsedOcsp[] = [];
  readonly notes: string[] = [];
  readonly usedCrls = new Set<Uint8Array>();
  readonly usedOcsp = new Set<Uint8Array>();
  private readonly verified = new Map<object, Map<Uint8Array, boolean>>();

  constructor(
    readonly time: Date,
    crls: Uint8Array[],
    ocsp: Uint8Array[],
    readonly extraCerts: ParsedCertificate[],
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

  /** Signature checks are cached: the same CRL serves every certificate of its issuer. */
  signedBy(object: ParsedCrl | ParsedOcsp, signer: ParsedCertificate): boolean {
    let bySigner = this.verified.get(object);
    if (!bySigner) this.verified.set(object, (bySigner = new Map()));
    let ok = bySigner.get(signer.spki);
    if (ok === undefined) {
      try {
        ok = verifySignatureCached(signer.spki, object.signatureAlgorithm, object.tbs, object.signature);
      } catch {
        ok = false;
      }
      bySigner.set(signer.spki, ok);
    }
    return ok;
  }
}

interface Evidence {
  status: 'good' | 'revoked' | 'revoked-after';
  source: 'crl' | 'ocsp';
  revokedAt?: Date;
  reason?: string;
  der: Uint8Array;
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

const covers = (thisUpdate: Date, nextUpdate: Date | undefined, time: Date) =>
  thisUpdate.getTime() >= time.getTime() || (nextUpdate !== undefined && nextUpdate.getTime() >= time.getTime());

function fromCrls(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: RevocationContext, crls: ParsedCrl[], out: Gathered): void {
  const isCa = cert.basicConstraints?.ca === true;
  for (const crl of crls) {
    if (crl.issuerKey !== cert.issuerKey) continue;
    const label = `la LCR de « ${crl.issuer} » du ${formatDate(crl.thisUpdate)}`;
    if (crl.isDelta) {
      ctx.notes.push(`${label} est une LCR delta : non utilisée seule`);
      continue;
    }
    if (crl.unsupported) {
      ctx.notes.push(`${label} n'est pas utilisée : ${crl.unsupported}`);
      continue;
    }
    if ((crl.onlyCaCerts && !isCa) || (crl.onlyUserCerts && isCa)) continue;
    if (issuer.keyUsage && !issuer.keyUsage.usages.includes('crlSign')) {
      ctx.notes.push(`${label} n'est pas utilisée : l'émetteur n'a pas l'usage de clé cRLSign`);
      continue;
    }
    if (!ctx.signedBy(crl, issuer)) {
      ctx.notes.push(`${label} n'est pas utilisée : sa signature ne se vérifie pas avec la clé de « ${issuer.subject} »`);
      continue;
    }
    let entry;
    try {
      entry = crl.entry(cert.serialNumber);
    } catch (error) {
      ctx.notes.push(`${label} n'est pas utilisée : ${(error as Error).message}`);
      continue;
    }
    if (entry && entry.reason !== 'removeFromCRL') {
      const after = entry.revokedAt.getTime() > ctx.time.getTime();
      out.evidence.push({
        status: after ? 'revoked-after' : 'revoked',
        source: 'crl',
        revokedAt: entry.revokedAt,
        ...(entry.reason ? { reason: entry.reason } : {}),
        der: crl.der,
      });
    } else if (!covers(crl.thisUpdate, crl.nextUpdate, ctx.time)) {
      ctx.notes.push(`${label} était périmée à la date de validation (prochaine mise à jour : ${crl.nextUpdate ? formatDate(crl.nextUpdate) : 'non indiquée'})`);
    } else if (crl.thisUpdate > cert.notAfter && !crl.expiredCertsOnCrl) {
      out.outOfBounds = true;
      ctx.notes.push(`${label} a été émise après l'expiration de « ${cert.subject} » : son silence ne prouve rien`);
    } else {
      out.evidence.push({ status: 'good', source: 'crl', der: crl.der });
    }
  }
}

/** The certificate that signed an OCSP response, if it is entitled to speak for `issuer`. */
function ocspSigner(ocsp: ParsedOcsp, issuer: ParsedCertificate, ctx: RevocationContext): ParsedCertificate | string {
  const named = (c: ParsedCertificate) =>
    ocsp.responderNameKey !== undefined
      ? c.subjectKey === ocsp.responderNameKey
      : ocsp.responderKeyHash !== undefined && sameBytes(responderKeyHashOf(c), ocsp.responderKeyHash);
  const embedded = ocsp.certificates.map(tryParseCertificate).filter((c): c is ParsedCertificate => !(c instanceof Asn1Error));
  const candidates = [issuer, ...embedded, ...ctx.extraCerts].filter(named);
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
    let issued = false;
    try {
      issued = verifySignatureCached(issuer.spki, candidate.signatureAlgorithm, candidate.tbs, candidate.signature);
    } catch {
      issued = false;
    }
    if (!issued) {
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
          der: ocsp.der,
        });
      } else if (single.status === 'unknown') {
        ctx.notes.push(`${label} : le répondeur ne connaît pas « ${cert.subject} » (statut unknown)`);
      } else if (!covers(single.thisUpdate, single.nextUpdate, ctx.time)) {
        ctx.notes.push(`${label} était périmée à la date de validation`);
      } else if (single.thisUpdate > cert.notAfter) {
        out.outOfBounds = true;
        ctx.notes.push(`${label} a été produite après l'expiration de « ${cert.subject} »`);
      } else {
        out.evidence.push({ status: 'good', source: 'ocsp', der: ocsp.der });
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

async function fetchMore(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: RevocationContext, out: Gathered): Promise<void> {
  if (!ctx.fetch) return;
  for (const url of cert.ocspUrls) {
    const bytes = await safeFetch(ctx, url, 'ocsp', buildOcspRequest(cert, issuer));
    const ocsp = bytes && ctx.addOcsp(bytes, `réponse OCSP de ${url}`);
    if (ocsp) fromOcsp(cert, issuer, ctx, [ocsp], out);
    if (out.evidence.length > 0) return;
  }
  for (const url of cert.crlUrls) {
    const bytes = await safeFetch(ctx, url, 'crl');
    const crl = bytes && ctx.addCrl(bytes, `LCR de ${url}`);
    if (crl) fromCrls(cert, issuer, ctx, [crl], out);
    if (out.evidence.length > 0) return;
  }
}

const SOURCE = { crl: 'la LCR', ocsp: 'la réponse OCSP' } as const;

/** The revocation status of `cert` at the context's time, from CRLs and OCSP, fetched when allowed. */
export async function checkRevocation(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  ctx: RevocationContext,
  required: boolean,
): Promise<RevocationOutcome> {
  const base = { subject: cert.subject, serialNumber: cert.serialNumber };
  const gathered: Gathered = { evidence: [], outOfBounds: false };
  fromOcsp(cert, issuer, ctx, ctx.ocsp, gathered);
  fromCrls(cert, issuer, ctx, ctx.crls, gathered);
  if (gathered.evidence.length === 0) await fetchMore(cert, issuer, ctx, gathered);

  const revoked = gathered.evidence
    .filter((e) => e.status === 'revoked')
    .sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime())[0];
  if (revoked) {
    (revoked.source === 'crl' ? ctx.usedCrls : ctx.usedOcsp).add(revoked.der);
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
    (good.source === 'crl' ? ctx.usedCrls : ctx.usedOcsp).add(good.der);
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
