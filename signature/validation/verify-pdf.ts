import crypto from 'node:crypto';
import { DEFAULT_POLICY_MAP, type PolicyLevelMap, type RgsLevel } from '../../certs/policies.ts';
import { validatePath, verifyTimestampToken } from '../../certs/validation/index.ts';
import type { PathValidationResult, RevocationFetcher, TimestampVerification } from '../../certs/validation/index.ts';
import { Budget, PdfError, PdfRevisions, PdfString, isPdfError, type PdfState } from '../../pdf/index.ts';
import { DEFAULT_LIMITS, type VerifyLimits } from './limits.ts';
import { findSignatures, parsePdfDate, type FoundSignature } from './signature-fields.ts';
import { checkByteRange, endsInsideRevision, signedBytes } from './byte-range.ts';
import { parseCms, type ParsedCms } from './cms.ts';
import { alteredEmbeddedCertificate, checkIntegrity, embeddedCertificateProblem, CertificateCache } from './integrity.ts';
import { readDss, type DssContent } from './dss.ts';
import { truncationReason } from './truncation.ts';
import { SHA1_SUBFILTER, SHA1_WEAK_REASON, sha1SignedContent } from './legacy-sha1.ts';
import { analyzeUpdate, isAllowed, type Modification, type UpdateAnalysis } from './modifications.ts';
import { OID, type ParsedCertificate } from '../../asn1/index.ts';
import type { Indication, ReachedLevel, SignatureReport, SubIndication, VerificationReport } from './report.ts';

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

const KNOWN_SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached', 'ETSI.RFC3161', SHA1_SUBFILTER]);

/** Verifies every signature and document timestamp of a PDF; never throws on bad input. */
export async function verifyPdf(bytes: Uint8Array, options: VerifyOptions): Promise<VerificationReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const base = baseReport(bytes, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<VerificationReport>((resolve) => {
    timer = setTimeout(() => resolve(failedReport(base, 'INDETERMINATE', null, 'la vérification a dépassé le temps imparti')), limits.timeBudgetMs);
  });
  try {
    return await Promise.race([run(bytes, options, limits, base), timeout]);
  } catch (error) {
    if (isPdfError(error, 'PDF_TIME_BUDGET')) return failedReport(base, 'INDETERMINATE', null, 'la vérification a dépassé le temps imparti');
    if (error instanceof PdfError) return failedReport(base, 'TOTAL_FAILED', 'FORMAT_FAILURE', truncationReason(bytes) ?? `fichier PDF illisible : ${error.detail}`);
    if (error instanceof RangeError) return failedReport(base, 'TOTAL_FAILED', 'FORMAT_FAILURE', `fichier PDF illisible (détail technique : ${error.message})`);
    return failedReport(base, 'INDETERMINATE', null, `erreur pendant la vérification : ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

function baseReport(bytes: Uint8Array, options: VerifyOptions): VerificationReport {
  return {
    file: options.fileName ?? '',
    size: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    verifiedAt: new Date().toISOString(),
    indication: 'INDETERMINATE',
    subIndication: null,
    reasons: [],
    revisions: 0,
    dss: null,
    requiredRgsLevel: options.requiredRgsLevel ?? null,
    signatures: [],
  };
}

function failedReport(base: VerificationReport, indication: Indication, sub: SubIndication | null, reason: string): VerificationReport {
  return { ...base, indication, subIndication: sub, reasons: [reason], signatures: [] };
}

interface Work {
  found: FoundSignature;
  report: SignatureReport;
  signedEnd: number;
  parts?: Uint8Array[];
  cms?: ParsedCms;
  signer?: ParsedCertificate;
  signatureTimestampOk: boolean;
  /** The TSA chains of the signature's timestamps, as validated. */
  timestampChains: PathValidationResult[];
  docTimestampTime?: Date;
  chain?: PathValidationResult;
  failed: boolean;
}

async function run(bytes: Uint8Array, options: VerifyOptions, limits: VerifyLimits, report: VerificationReport): Promise<VerificationReport> {
  const budget = new Budget(limits.timeBudgetMs);
  const doc = new PdfRevisions(bytes, { limits, budget });
  const latest = doc.latest();
  report.revisions = doc.sections.length;
  const allFound = findSignatures(latest, limits.maxSignatures + 1);
  const found = allFound.slice(0, limits.maxSignatures);
  const dss = readDss(latest);
  if (dss) report.dss = { certificates: dss.certificates.length, crls: dss.crls.length, ocspResponses: dss.ocspResponses.length, vri: dss.vriCount };

  const works: Work[] = found.map((f) => formatStep(f, bytes, limits));
  works.sort((a, b) => a.signedEnd - b.signedEnd);

  const updates = new Map<number, UpdateAnalysis>();
  const analysis = (i: number): UpdateAnalysis => {
    let a = updates.get(i);
    if (!a) {
      a = analyzeUpdate(doc, doc.sections[i]!, i);
      updates.set(i, a);
    }
    return a;
  };

  const pool = [...(dss?.certificates ?? []), ...(options.intermediates ?? [])];
  const cache = new CertificateCache();
  for (const w of works) {
    w.report.revisionIndex = Math.max(0, doc.sections.filter((s) => s.offset < w.signedEnd).length - 1);
    if (!w.failed && endsInsideRevision(doc, w.signedEnd)) fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'la signature ne couvre pas toute la révision qui la contient');
    if (w.failed) continue;
    budget.check();
    w.report.modificationsAfter = modificationsAfter(doc, w, analysis);
    integrityStep(w, [...pool, ...options.trustAnchors], cache);
  }

  // Document timestamps first: they give proof of existence to what they cover.
  const ctx: Ctx = {
    options,
    dss,
    pool,
    cache,
    certificates: new UniqueList(pool),
    crls: new UniqueList([...(dss?.crls ?? []), ...(options.crls ?? [])]),
    ocspResponses: new UniqueList([...(dss?.ocspResponses ?? []), ...(options.ocspResponses ?? [])]),
  };
  for (const w of works) if (!w.failed && w.found.type === 'document-timestamp') await guarded(w, () => documentTimestampStep(w, ctx));
  for (const w of works) if (!w.failed && w.found.type === 'signature') await guarded(w, () => signatureStep(w, works, ctx, doc, dss));

  const lastEnd = Math.max(0, ...works.map((w) => w.signedEnd));
  for (const w of works) {
    if (w.found.type === 'signature' && w.cms) w.report.padesLevel = padesLevel(w, works, doc, dss);
    w.report.coveredWholeDocument = w.signedEnd > 0 && isOnlyWhitespace(bytes, w.signedEnd);
    if (w.report.modificationsAfter.length > 0 && w.report.indication !== 'TOTAL_FAILED') {
      w.report.indication = 'TOTAL_FAILED';
      w.report.subIndication = 'SIG_CONSTRAINTS_FAILURE';
    }
    if (w.report.modificationsAfter.length > 0) {
      w.report.reasons.unshift(`le document a été modifié après la signature : ${w.report.modificationsAfter.map((m) => m.description).join(' ; ')}`);
    }
  }
  report.signatures = works.map((w) => w.report);
  const problems: string[] = [];
  // The DSS sits in unsigned revisions: a damaged certificate there is tampering even when a good copy exists elsewhere.
  const damaged = dss ? alteredEmbeddedCertificate(dss.certificates, [...pool, ...options.trustAnchors, ...works.flatMap((w) => w.cms?.certificates ?? [])], cache) : undefined;
  if (damaged) problems.push(`données de validation (DSS) : ${damaged}`);
  if (allFound.length > limits.maxSignatures) problems.push(`plus de ${limits.maxSignatures} signatures : les suivantes n’ont pas été vérifiées`);
  return conclude(report, doc, bytes, lastEnd, problems);
}

/** The document's verdict; `problems` are document-level reasons that forbid TOTAL_PASSED. */
function conclude(report: VerificationReport, doc: PdfRevisions, bytes: Uint8Array, lastEnd: number, problems: string[]): VerificationReport {
  const sigs = report.signatures;
  if (sigs.length === 0) {
    report.indication = 'INDETERMINATE';
    report.subIndication = 'SIGNED_DATA_NOT_FOUND';
    report.reasons.push('le document ne contient aucune signature');
    return report;
  }
  const failed = sigs.find((s) => s.indication === 'TOTAL_FAILED');
  const indeterminate = sigs.find((s) => s.indication === 'INDETERMINATE');
  if (!isOnlyWhitespace(bytes, lastEnd) && !sigs.some((s) => s.modificationsAfter.length > 0)) {
    // Bytes after the last signature must be later revisions (analysed above) and nothing past their end.
    const lastSection = doc.sections[doc.sections.length - 1];
    const eof = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).lastIndexOf('%%EOF', undefined, 'latin1');
    const explained = lastSection !== undefined && lastSection.offset >= lastEnd && eof > lastSection.offset && isOnlyWhitespace(bytes, eof + 5);
    if (!explained) problems.push(truncationReason(bytes) ?? 'des données ont été ajoutées après la dernière signature');
  }
  report.reasons.push(...problems);
  const modified = sigs.some((s) => s.modificationsAfter.length > 0) || problems.length > 0;
  if (failed || modified) {
    report.indication = 'TOTAL_FAILED';
    report.subIndication = failed?.subIndication ?? (truncationReason(bytes) ? 'FORMAT_FAILURE' : 'SIG_CONSTRAINTS_FAILURE');
  } else if (indeterminate) {
    report.indication = 'INDETERMINATE';
    report.subIndication = indeterminate.subIndication;
  } else {
    report.indication = 'TOTAL_PASSED';
    report.subIndication = null;
  }
  const bad = sigs.filter((s) => s.indication !== 'TOTAL_PASSED').length;
  if (bad > 0) report.reasons.push(`${bad} signature(s) sur ${sigs.length} ne sont pas valides`);
  else if (report.indication === 'TOTAL_PASSED') report.reasons.push(`les ${sigs.length} signature(s) et horodatage(s) sont valides`);
  return report;
}

function isOnlyWhitespace(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9 && c !== 0) return false;
  }
  return true;
}

function emptyReport(f: FoundSignature): SignatureReport {
  const m = f.dict.get('M');
  const claimed = m instanceof PdfString ? parsePdfDate(Buffer.from(m.bytes).toString('latin1')) : undefined;
  return {
    fieldName: f.fieldName,
    type: f.type,
    subFilter: f.subFilter ?? null,
    indication: 'TOTAL_PASSED',
    subIndication: null,
    reasons: [],
    padesLevel: f.type === 'signature' ? 'none' : null,
    signer: null,
    rgsLevel: null,
    meetsRequiredLevel: null,
    claimedTime: claimed ? claimed.toISOString() : null,
    timestampTime: null,
    validationTime: null,
    proofOfExistence: null,
    revocation: null,
    coveredWholeDocument: false,
    revisionIndex: 0,
    byteRange: null,
    certificationLevel: f.docMdpP ?? null,
    modificationsAfter: [],
  };
}

/** A step that throws (unexpected data deep in a chain or token) leaves its signature undecided, never the whole file. */
async function guarded(w: Work, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
    fail(w, 'INDETERMINATE', null, `vérification impossible : ${(error as Error).message}`);
  }
}

function fail(w: Work, indication: Indication, sub: SubIndication | null, reason: string): void {
  if (!w.failed) {
    w.report.indication = indication;
    w.report.subIndication = sub;
  }
  w.report.reasons.push(reason);
  w.failed = true;
}

/** Step 1: ByteRange, /Contents, SubFilter, CMS structure. */
function formatStep(f: FoundSignature, bytes: Uint8Array, limits: VerifyLimits): Work {
  const w: Work = { found: f, report: emptyReport(f), signedEnd: 0, signatureTimestampOk: false, timestampChains: [], failed: false };
  const br = checkByteRange(f.dict, bytes, f.storedDirectly, limits);
  w.report.byteRange = br.byteRange;
  if (!br.ok) {
    const raw = br.byteRange;
    if (raw && raw.length === 4 && raw.every((n) => Number.isSafeInteger(n) && n >= 0)) w.signedEnd = raw[2]! + raw[3]!;
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', br.reason);
    return w;
  }
  w.signedEnd = br.signedEnd;
  const sf = f.subFilter;
  if (!sf || !KNOWN_SUBFILTERS.has(sf)) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', `format de signature inconnu (${sf ?? 'SubFilter absent'})`);
    return w;
  }
  if ((sf === 'ETSI.RFC3161') !== (f.type === 'document-timestamp')) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'le type de la signature ne correspond pas à son format');
    return w;
  }
  try {
    w.cms = parseCms(br.contents);
  } catch (error) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', `la valeur de signature n’est pas une structure CMS valide (${(error as Error).message})`);
    return w;
  }
  if (w.cms.trailingNonZero) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'des données inattendues suivent la signature dans /Contents');
    return w;
  }
  const expected = f.type === 'document-timestamp' ? OID.tstInfo : OID.data;
  if (w.cms.eContentType !== expected || (f.type === 'signature' && (w.cms.eContent !== undefined) !== (sf === SHA1_SUBFILTER))) {
    fail(w, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'le contenu de la structure CMS ne correspond pas au format annoncé');
    return w;
  }
  w.parts = signedBytes(bytes, br.byteRange);
  if (sf === SHA1_SUBFILTER) {
    const legacy = sha1SignedContent(w.cms, w.parts);
    if ('reason' in legacy) fail(w, 'TOTAL_FAILED', legacy.hashFailure ? 'HASH_FAILURE' : 'FORMAT_FAILURE', legacy.reason);
    else w.parts = legacy.content;
  }
  return w;
}

/** Step 2: forbidden changes in the revisions appended after this signature, under its own DocMDP permission (pyHanko's reading). */
function modificationsAfter(doc: PdfRevisions, w: Work, analysis: (i: number) => UpdateAnalysis): Modification[] {
  const out: Modification[] = [];
  doc.sections.forEach((s, i) => {
    if (s.offset < w.signedEnd) return;
    const a = analysis(i);
    const forbidden = a.changes.filter((c) => !isAllowed(c.category, w.found.docMdpP));
    if (forbidden.length > 0) {
      out.push({ revisionIndex: i, objects: forbidden.map((c) => c.objectNumber), description: [...new Set(forbidden.map((c) => c.description))].join(', ') });
    }
  });
  return out;
}

/** Step 3. */
function integrityStep(w: Work, pool: Uint8Array[], cache: CertificateCache): void {
  const cms = w.cms!;
  const isDocTs = w.found.type === 'document-timestamp';
  if (isDocTs) return; // the token's own checks run in documentTimestampStep
  const result = checkIntegrity(cms, w.parts!, [...cms.certificates, ...pool], w.found.subFilter === 'ETSI.CAdES.detached', cache);
  if (result.signer) {
    w.signer = result.signer;
    w.report.signer = { subject: result.signer.subject, serialNumber: result.signer.serialNumber, issuer: result.signer.issuer };
  }
  if (cms.signingTime && !w.report.claimedTime) w.report.claimedTime = cms.signingTime.toISOString();
  if (result.indication) fail(w, result.indication, result.subIndication ?? null, result.reasons[0] ?? 'signature invalide');
  else if (w.found.subFilter === SHA1_SUBFILTER) fail(w, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', SHA1_WEAK_REASON);
}

interface Ctx {
  options: VerifyOptions;
  dss: DssContent | undefined;
  pool: Uint8Array[];
  cache: CertificateCache;
  certificates: UniqueList;
  crls: UniqueList;
  ocspResponses: UniqueList;
}

function revocationData(ctx: Ctx, cms: ParsedCms): { crls: Uint8Array[]; ocspResponses: Uint8Array[] } {
  return { crls: ctx.crls.with(cms.crls), ocspResponses: ctx.ocspResponses.with(cms.ocspResponses) };
}

/**
 * The same certificate or CRL often sits in the CMS and in the DSS: each is passed
 * once. The file-wide list is deduplicated once; each signature only adds its own.
 */
class UniqueList {
  private readonly keys: string[] = [];
  private readonly items: Uint8Array[] = [];

  constructor(items: Iterable<Uint8Array>) {
    const seen = new Set<string>();
    for (const b of items) {
      const key = keyOf(b);
      if (seen.has(key)) continue;
      seen.add(key);
      this.keys.push(key);
      this.items.push(b);
    }
  }

  /** `first`, then the shared items, without repeats (the signature's own data comes first). */
  with(first: Uint8Array[]): Uint8Array[] {
    if (first.length === 0) return this.items;
    const own: Uint8Array[] = [];
    const seen = new Set<string>();
    for (const b of first) {
      const key = keyOf(b);
      if (seen.has(key)) continue;
      seen.add(key);
      own.push(b);
    }
    this.items.forEach((b, i) => {
      if (!seen.has(this.keys[i]!)) own.push(b);
    });
    return own;
  }
}

const keyOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

async function checkToken(token: Uint8Array, data: Uint8Array, ctx: Ctx, extraCerts: Uint8Array[], crls: Uint8Array[], ocsps: Uint8Array[]): Promise<TimestampVerification> {
  // The same strict structure and certificate checks as for signatures, before the token's own verification.
  let parsed: ParsedCms;
  try {
    parsed = parseCms(token);
  } catch (error) {
    return brokenToken(`jeton d’horodatage mal formé (${(error as Error).message})`);
  }
  if (parsed.eContentType !== OID.tstInfo || parsed.trailingNonZero) return brokenToken('jeton d’horodatage mal formé');
  const problem = embeddedCertificateProblem(parsed.certificates, [...extraCerts, ...ctx.pool, ...ctx.options.trustAnchors], ctx.cache);
  if (problem?.kind === 'altered') return brokenToken(problem.reason);
  const v = await verifyTimestampToken(token, {
    data,
    ber: true,
    trustAnchors: ctx.options.trustAnchors,
    intermediates: ctx.certificates.with(extraCerts),
    crls,
    ocspResponses: ocsps,
    policyMap: ctx.options.policyMap ?? DEFAULT_POLICY_MAP,
    ...(ctx.options.fetchRevocation ? { fetchRevocation: ctx.options.fetchRevocation } : {}),
  });
  return problem && v.ok ? unknownIssuerToken(v, problem.reason) : v;
}

/** A token that verified while carrying a certificate whose issuer is unknown: undecided, as for a signature. */
function unknownIssuerToken(v: TimestampVerification, reason: string): TimestampVerification {
  const chain: PathValidationResult | undefined = v.chain && { ...v.chain, indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND', reasons: [reason] };
  return { ...v, ok: false, reasons: [reason], ...(chain ? { chain } : {}) };
}

function brokenToken(reason: string): TimestampVerification {
  return { ok: false, reasons: [reason], imprintMatches: true, signatureValid: false, essCertIdMatches: false, certificates: [] };
}

/** Maps a token verification onto the timestamp's own verdict. */
function tokenVerdict(v: TimestampVerification): { indication: Indication; sub: SubIndication | null; reason: string } | undefined {
  if (v.ok) return undefined;
  const reason = v.reasons[0] ?? 'horodatage invalide';
  if (!v.imprintMatches) return { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE', reason };
  if (!v.signatureValid) return { indication: 'TOTAL_FAILED', sub: 'SIG_CRYPTO_FAILURE', reason };
  if (!v.essCertIdMatches) return { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', reason };
  const chain = v.chain;
  if (chain && chain.indication !== 'PASSED') {
    return { indication: chain.indication === 'FAILED' ? 'TOTAL_FAILED' : 'INDETERMINATE', sub: chain.subIndication ?? null, reason };
  }
  return { indication: 'INDETERMINATE', sub: null, reason };
}

async function documentTimestampStep(w: Work, ctx: Ctx): Promise<void> {
  const cms = w.cms!;
  const rev = revocationData(ctx, cms);
  const v = await checkToken(cms.der, Buffer.concat(w.parts!), ctx, cms.certificates, rev.crls, rev.ocspResponses);
  if (v.tsaCertificate) {
    const info = safeInfo(v.tsaCertificate, ctx.cache);
    if (info) w.report.signer = { subject: info.subject, serialNumber: info.serialNumber, issuer: info.issuer };
  }
  if (v.genTime) w.report.timestampTime = v.genTime.toISOString();
  w.report.validationTime = v.genTime?.toISOString() ?? null;
  const verdict = tokenVerdict(v);
  if (verdict) {
    fail(w, verdict.indication, verdict.sub, `horodatage du document : ${verdict.reason}`);
    return;
  }
  w.docTimestampTime = v.genTime;
  w.report.reasons.push('horodatage du document valide');
}

async function signatureStep(w: Work, works: Work[], ctx: Ctx, doc: PdfRevisions, dss: DssContent | undefined): Promise<void> {
  const cms = w.cms!;
  const signer = w.signer!;
  const rev = revocationData(ctx, cms);
  // Step 4: best signature time.
  let bestTime: Date | undefined;
  for (const token of cms.signatureTimestamps.slice(0, 4)) {
    const v = await checkToken(token, cms.signature, ctx, cms.certificates, rev.crls, rev.ocspResponses);
    const verdict = tokenVerdict(v);
    if (verdict) {
      fail(w, verdict.indication, verdict.sub, `horodatage de la signature : ${verdict.reason}`);
      return;
    }
    if (v.genTime && (!bestTime || v.genTime < bestTime)) bestTime = v.genTime;
    if (v.chain) w.timestampChains.push(v.chain);
  }
  if (bestTime) {
    w.signatureTimestampOk = true;
    w.report.timestampTime = bestTime.toISOString();
  }
  const poe = works
    .filter((d) => d.found.type === 'document-timestamp' && d.docTimestampTime && d.signedEnd >= w.signedEnd)
    .map((d) => d.docTimestampTime!)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  if (poe) w.report.proofOfExistence = poe.toISOString();
  const validationTime = bestTime ?? poe ?? ctx.options.time ?? new Date();
  w.report.validationTime = validationTime.toISOString();

  // Step 5: chain.
  const chain = await validatePath({
    certificate: signer.der,
    intermediates: ctx.certificates.with(cms.certificates),
    trustAnchors: ctx.options.trustAnchors,
    crls: rev.crls,
    ocspResponses: rev.ocspResponses,
    time: validationTime,
    purpose: 'signature',
    policyMap: ctx.options.policyMap ?? DEFAULT_POLICY_MAP,
    ...(ctx.options.fetchRevocation ? { fetchRevocation: ctx.options.fetchRevocation } : {}),
  });
  w.chain = chain;
  w.report.rgsLevel = chain.rgsLevel;
  w.report.revocation = {
    status: chain.revocation.status,
    revokedAt: chain.revocation.revokedAt ? chain.revocation.revokedAt.toISOString() : null,
    source: chain.revocation.source ?? null,
  };
  if (chain.indication !== 'PASSED') {
    const sub = chain.subIndication ?? null;
    fail(w, chain.indication === 'FAILED' ? 'TOTAL_FAILED' : 'INDETERMINATE', sub, chain.reasons[0] ?? 'la chaîne de certification n’a pas pu être validée');
    for (const r of chain.reasons.slice(1)) w.report.reasons.push(r);
  }
  // Step 6: purpose and level.
  if (signer.keyUsage && !signer.keyUsage.usages.includes('nonRepudiation')) fail(w, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', 'le certificat n’est pas prévu pour signer (usage « non-répudiation » absent)');
  const required = ctx.options.requiredRgsLevel;
  if (required !== undefined) {
    w.report.meetsRequiredLevel = chain.rgsLevel !== null && chain.rgsLevel >= required;
    if (!w.report.meetsRequiredLevel) {
      fail(w, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', `niveau de certificat insuffisant : RGS ${stars(required)} exigé, ${chain.rgsLevel ? `RGS ${stars(chain.rgsLevel)}` : 'aucun niveau RGS reconnu'}`);
    }
  }
  if (!w.failed) w.report.reasons.push('signature valide');
}

function stars(level: number): string {
  return '*'.repeat(level);
}

/** Step 7's level: what is present and verified, from B-B up. */
function padesLevel(w: Work, works: Work[], doc: PdfRevisions, dss: DssContent | undefined): ReachedLevel {
  if (w.found.subFilter === 'adbe.pkcs7.detached' || w.found.subFilter === SHA1_SUBFILTER) return 'PKCS7';
  const cms = w.cms!;
  if (!cms.signedAttrsDer || !cms.essCertIds?.length || !cms.messageDigest) return 'none';
  const coveringDocTs = works.filter((d) => d.found.type === 'document-timestamp' && d.docTimestampTime && d.signedEnd > w.signedEnd);
  if (!w.signatureTimestampOk && coveringDocTs.length === 0) return 'B-B';
  // B-LT: validation data in a DSS added after the signature, enough to settle offline the
  // signer's chain and the chains of the TSAs that timestamped it (EN 319 142-1, 5.4).
  const dssOffset = firstDssAfter(doc, w.signedEnd);
  const chain = w.chain;
  const embedded = (item: Uint8Array, ...lists: Uint8Array[][]): boolean => lists.some((list) => list.some((x) => Buffer.from(x).equals(item)));
  const settledOffline = (c: PathValidationResult): boolean =>
    c.usedCrls.every((crl) => embedded(crl, dss?.crls ?? [], cms.crls)) && c.usedOcsp.every((o) => embedded(o, dss?.ocspResponses ?? [], cms.ocspResponses));
  const hasLtData =
    dss !== undefined &&
    dssOffset !== undefined &&
    chain?.indication === 'PASSED' &&
    chain.usedCrls.length + chain.usedOcsp.length > 0 &&
    [chain, ...w.timestampChains].every(settledOffline);
  if (!hasLtData) return 'B-T';
  return coveringDocTs.some((d) => d.signedEnd > dssOffset) ? 'B-LTA' : 'B-LT';
}

function firstDssAfter(doc: PdfRevisions, from: number): number | undefined {
  for (const s of doc.sections) {
    if (s.offset < from) continue;
    try {
      if (doc.stateAt(s.offset + 1).root()?.get('DSS') !== undefined) return s.offset;
    } catch (error) {
      if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
      return undefined;
    }
  }
  return undefined;
}

function safeInfo(der: Uint8Array, cache: CertificateCache): ParsedCertificate | undefined {
  try {
    return cache.info(der);
  } catch {
    return undefined;
  }
}
