import { parseCertificate, type ParsedCertificate } from '../asn1/index.ts';
import { parseCrl } from '../certs/validation/index.ts';
import { inspectCms, ocspCertificates } from './cms/inspect.ts';
import { SignatureError } from './errors.ts';

/** Validation material the caller already holds (DER). */
export interface ValidationMaterial {
  certificates?: Uint8Array[];
  crls?: Uint8Array[];
  ocsps?: Uint8Array[];
}

/**
 * How to fetch what is missing, from the certificates' CDP and AIA URLs. The
 * library never opens a connection itself: the caller decides what may be reached.
 */
export interface ValidationFetchers {
  certificate?(url: string): Promise<Uint8Array>;
  crl?(url: string): Promise<Uint8Array>;
  /** Returns a DER OCSPResponse for `certificate`, issued by `issuer`. */
  ocsp?(url: string, certificate: Uint8Array, issuer: Uint8Array): Promise<Uint8Array>;
}

export interface ValidationDataOptions {
  material?: ValidationMaterial;
  fetchers?: ValidationFetchers;
}

/** What one signature or timestamp needs, and the union over all of them. */
export interface ValidationData {
  certs: Uint8Array[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
  /** Per CMS (signature or document timestamp), for the VRI dictionaries. */
  entries: { cms: Uint8Array; certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] }[];
}

interface Parsed {
  der: Uint8Array;
  cert: ParsedCertificate;
}

const key = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Gathers every certificate, CRL and OCSP response needed to validate the
 * signers' chains and the chains of the timestamps they carry.
 */
export async function gatherValidationData(cmsList: readonly Uint8Array[], opts: ValidationDataOptions = {}): Promise<ValidationData> {
  const pool = new Map<string, Parsed>();
  const addToPool = (der: Uint8Array): Parsed => {
    const k = key(der);
    let p = pool.get(k);
    if (!p) {
      p = { der, cert: parseCertificate(der) };
      pool.set(k, p);
    }
    return p;
  };
  for (const c of opts.material?.certificates ?? []) addToPool(c);
  const crlPool = (opts.material?.crls ?? []).map((der) => ({ der, crl: parseCrl(der) }));
  const materialOcsps = opts.material?.ocsps ?? [];
  for (const o of materialOcsps) for (const c of ocspCertificates(o)) addToPool(c);

  const union = { certs: new Map<string, Uint8Array>(), crls: new Map<string, Uint8Array>(), ocsps: new Map<string, Uint8Array>() };
  const entries: ValidationData['entries'] = [];
  const revocationCache = new Map<string, { crls: Uint8Array[]; ocsps: Uint8Array[] }>();

  for (const cms of cmsList) {
    const entry = { cms, certs: new Map<string, Uint8Array>(), crls: new Map<string, Uint8Array>(), ocsps: new Map<string, Uint8Array>() };
    const leaves: Parsed[] = [];
    const collect = (der: Uint8Array): void => {
      const info = inspectCms(der);
      for (const c of info.certificates) addToPool(c);
      if (info.signer) leaves.push(addToPool(info.signer));
      for (const t of info.timestampTokens) collect(t);
    };
    collect(cms);
    const queue = [...leaves];
    const done = new Set<string>();
    while (queue.length) {
      const p = queue.shift()!;
      const k = key(p.der);
      if (done.has(k)) continue;
      done.add(k);
      entry.certs.set(k, p.der);
      const issuer = await findIssuer(p, pool, addToPool, opts.fetchers);
      if (issuer && issuer !== p) {
        queue.push(issuer);
        let rev = revocationCache.get(k);
        if (!rev) {
          rev = await revocationFor(p, issuer, crlPool, materialOcsps, opts.fetchers);
          revocationCache.set(k, rev);
          for (const o of rev.ocsps) for (const c of ocspCertificates(o)) queue.push(addToPool(c));
        }
        for (const c of rev.crls) entry.crls.set(key(c), c);
        for (const o of rev.ocsps) entry.ocsps.set(key(o), o);
      } else if (!issuer && !p.cert.selfIssued) {
        throw new SignatureError('SIGN_CHAIN_INCOMPLETE', `Chaîne de certification incomplète : l’émetteur de « ${p.cert.subject} » est introuvable.`);
      }
    }
    for (const [k, v] of entry.certs) union.certs.set(k, v);
    for (const [k, v] of entry.crls) union.crls.set(k, v);
    for (const [k, v] of entry.ocsps) union.ocsps.set(k, v);
    entries.push({ cms, certs: [...entry.certs.values()], crls: [...entry.crls.values()], ocsps: [...entry.ocsps.values()] });
  }
  return { certs: [...union.certs.values()], crls: [...union.crls.values()], ocsps: [...union.ocsps.values()], entries };
}

async function findIssuer(p: Parsed, pool: Map<string, Parsed>, add: (d: Uint8Array) => Parsed, fetchers?: ValidationFetchers): Promise<Parsed | undefined> {
  if (p.cert.selfIssued) return p;
  const aki = p.cert.authorityKeyId;
  const match = (c: Parsed): boolean => c.cert.subjectKey === p.cert.issuerKey && (!aki || (c.cert.subjectKeyId ?? aki) === aki);
  for (const c of pool.values()) if (c !== p && match(c)) return c;
  if (fetchers?.certificate) {
    for (const url of p.cert.caIssuersUrls) {
      try {
        const c = add(await fetchers.certificate(url));
        if (match(c)) return c;
      } catch {
        // another URL may answer
      }
    }
  }
  return undefined;
}

async function revocationFor(
  p: Parsed,
  issuer: Parsed,
  crlPool: { der: Uint8Array; crl: { issuerKey: string } }[],
  materialOcsps: Uint8Array[],
  fetchers?: ValidationFetchers,
): Promise<{ crls: Uint8Array[]; ocsps: Uint8Array[] }> {
  const crls = crlPool.filter((c) => c.crl.issuerKey === p.cert.issuerKey).map((c) => c.der);
  const ocsps: Uint8Array[] = [];
  // Material OCSP responses are kept for the certificates whose issuer signed them.
  for (const o of materialOcsps) if (ocspIssuedFor(o, issuer)) ocsps.push(o);
  if (crls.length || ocsps.length) return { crls, ocsps };
  const ocspUrls = p.cert.ocspUrls;
  const crlUrls = p.cert.crlUrls;
  const reasons: string[] = [];
  if (fetchers?.ocsp) {
    for (const url of ocspUrls) {
      try {
        return { crls, ocsps: [await fetchers.ocsp(url, p.der, issuer.der)] };
      } catch (e) {
        reasons.push((e as Error).message);
      }
    }
  }
  if (fetchers?.crl) {
    for (const url of crlUrls) {
      try {
        const der = await fetchers.crl(url);
        parseCrl(der);
        return { crls: [der], ocsps };
      } catch (e) {
        reasons.push((e as Error).message);
      }
    }
  }
  if (ocspUrls.length || crlUrls.length) {
    throw new SignatureError(
      'SIGN_REVOCATION_MISSING',
      `Données de révocation introuvables pour « ${p.cert.subject} »${reasons.length ? ` (${reasons.join(' ; ')})` : ''} : fournissez une LCR ou une réponse OCSP.`,
    );
  }
  return { crls, ocsps };
}

/** Whether a material OCSP response plausibly concerns `issuer`'s certificates (by responder or issuer key). */
function ocspIssuedFor(ocsp: Uint8Array, issuer: Parsed): boolean {
  const ski = issuer.cert.subjectKeyId;
  const certs = ocspCertificates(ocsp).map((d) => parseCertificate(d));
  if (certs.some((c) => c.issuerKey === issuer.cert.subjectKey || c.subjectKey === issuer.cert.subjectKey)) return true;
  return ski ? Buffer.from(ocsp).includes(Buffer.from(ski, 'hex')) : false;
}
