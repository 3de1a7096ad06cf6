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

/** Extra inputs of a gathering beside the CMS blobs that get a VRI entry each. */
export interface GatherExtras {
  /**
   * CMS blobs (a probe token of the TSA about to be used) whose chains and revocation data
   * join the DSS without a VRI entry of their own, when they can be found.
   */
  alsoFor?: readonly Uint8Array[];
}

/**
 * Gathers every certificate, CRL and OCSP response needed to validate the
 * signers' chains and the chains of the timestamps they carry.
 */
export async function gatherValidationData(cmsList: readonly Uint8Array[], opts: ValidationDataOptions = {}, extras: GatherExtras = {}): Promise<ValidationData> {
  const g = new Gatherer(opts);
  const entries: ValidationData['entries'] = [];
  for (const cms of cmsList) {
    const entry = await g.settle(g.leavesOfCms(cms));
    entries.push({ cms, ...entry });
  }
  for (const cms of extras.alsoFor ?? []) {
    try {
      await g.settle(g.leavesOfCms(cms));
    } catch {
      // Best effort: the newest timestamp's data may also come with the next extension (what PAdES asks for).
    }
  }
  return { ...g.union(), entries };
}

/**
 * The chain of one certificate (given with the certificates the signer holds) and the
 * revocation data of each of its links: what a signing check and the later DSS need.
 */
export async function gatherChainData(certificate: Uint8Array, chain: readonly Uint8Array[], opts: ValidationDataOptions = {}): Promise<Omit<ValidationData, 'entries'>> {
  const g = new Gatherer(opts);
  for (const c of chain) g.add(c);
  await g.settle([g.add(certificate)]);
  return g.union();
}

type Found = { certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] };

/** One gathering: a pool of certificates and revocation data shared by all its chains. */
class Gatherer {
  private readonly pool = new Map<string, Parsed>();
  private readonly crlPool: { der: Uint8Array; crl: { issuerKey: string } }[];
  private readonly materialOcsps: Uint8Array[];
  private readonly revocationCache = new Map<string, { crls: Uint8Array[]; ocsps: Uint8Array[] }>();
  private readonly all = { certs: new Map<string, Uint8Array>(), crls: new Map<string, Uint8Array>(), ocsps: new Map<string, Uint8Array>() };

  constructor(private readonly opts: ValidationDataOptions) {
    for (const c of opts.material?.certificates ?? []) this.add(c);
    this.crlPool = (opts.material?.crls ?? []).map((der) => ({ der, crl: parseCrl(der) }));
    this.materialOcsps = opts.material?.ocsps ?? [];
    for (const o of this.materialOcsps) for (const c of ocspCertificates(o)) this.add(c);
  }

  readonly add = (der: Uint8Array): Parsed => {
    const k = key(der);
    let p = this.pool.get(k);
    if (!p) {
      p = { der, cert: parseCertificate(der) };
      this.pool.set(k, p);
    }
    return p;
  };

  /** The signer of a CMS and of every timestamp token nested in it; their certificates join the pool. */
  leavesOfCms(cms: Uint8Array): Parsed[] {
    const leaves: Parsed[] = [];
    const collect = (der: Uint8Array): void => {
      const info = inspectCms(der);
      for (const c of info.certificates) this.add(c);
      if (info.signer) leaves.push(this.add(info.signer));
      for (const t of info.timestampTokens) collect(t);
    };
    collect(cms);
    return leaves;
  }

  /** Every certificate up from `leaves` and the revocation data of each (fetched when allowed). */
  async settle(leaves: Parsed[]): Promise<Found> {
    const entry = { certs: new Map<string, Uint8Array>(), crls: new Map<string, Uint8Array>(), ocsps: new Map<string, Uint8Array>() };
    const queue = [...leaves];
    const done = new Set<string>();
    while (queue.length) {
      const p = queue.shift()!;
      const k = key(p.der);
      if (done.has(k)) continue;
      done.add(k);
      entry.certs.set(k, p.der);
      const issuer = await findIssuer(p, this.pool, this.add, this.opts.fetchers);
      if (issuer && issuer !== p) {
        queue.push(issuer);
        let rev = this.revocationCache.get(k);
        if (!rev) {
          rev = await revocationFor(p, issuer, this.crlPool, this.materialOcsps, this.opts.fetchers);
          this.revocationCache.set(k, rev);
          for (const o of rev.ocsps) for (const c of ocspCertificates(o)) queue.push(this.add(c));
        }
        for (const c of rev.crls) entry.crls.set(key(c), c);
        for (const o of rev.ocsps) entry.ocsps.set(key(o), o);
      } else if (!issuer && !p.cert.selfIssued) {
        throw new SignatureError('SIGN_CHAIN_INCOMPLETE', `Chaîne de certification incomplète : l’émetteur de « ${p.cert.subject} » est introuvable.`);
      }
    }
    for (const [k, v] of entry.certs) this.all.certs.set(k, v);
    for (const [k, v] of entry.crls) this.all.crls.set(k, v);
    for (const [k, v] of entry.ocsps) this.all.ocsps.set(k, v);
    return { certs: [...entry.certs.values()], crls: [...entry.crls.values()], ocsps: [...entry.ocsps.values()] };
  }

  union(): Found {
    return { certs: [...this.all.certs.values()], crls: [...this.all.crls.values()], ocsps: [...this.all.ocsps.values()] };
  }
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
  // A CA certificate is settled by its issuer's CRL when there is one: an OCSP response for a CA
  // is usually signed by the root key itself, which strict validators (pyHanko's long-term
  // validation) then want revocation data for, and a root has none.
  const isCa = p.cert.basicConstraints?.ca === true;
  if (isCa && crls.length) return { crls, ocsps: [] };
  const ocsps: Uint8Array[] = [];
  // Material OCSP responses are kept for the certificates whose issuer signed them.
  for (const o of materialOcsps) if (ocspIssuedFor(o, issuer)) ocsps.push(o);
  if (crls.length || ocsps.length) return { crls, ocsps };
  const ocspUrls = p.cert.ocspUrls;
  const crlUrls = p.cert.crlUrls;
  const reasons: string[] = [];
  const fromOcsp = async (): Promise<Found | undefined> => {
    for (const url of fetchers?.ocsp ? ocspUrls : []) {
      try {
        return { certs: [], crls, ocsps: [await fetchers!.ocsp!(url, p.der, issuer.der)] };
      } catch (e) {
        reasons.push((e as Error).message);
      }
    }
    return undefined;
  };
  const fromCrl = async (): Promise<Found | undefined> => {
    for (const url of fetchers?.crl ? crlUrls : []) {
      try {
        const der = await fetchers!.crl!(url);
        parseCrl(der);
        return { certs: [], crls: [der], ocsps };
      } catch (e) {
        reasons.push((e as Error).message);
      }
    }
    return undefined;
  };
  for (const source of isCa ? [fromCrl, fromOcsp] : [fromOcsp, fromCrl]) {
    const found = await source();
    if (found) return found;
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
