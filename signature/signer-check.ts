import { parseCertificate } from '../asn1/index.ts';
import { formatDate, validatePath } from '../certs/validation/index.ts';
import { SignatureError } from './errors.ts';
import { atLeast, type PadesLevel } from './levels.ts';
import { gatherChainData, type ValidationDataOptions, type ValidationMaterial } from './validation-data.ts';

/**
 * Refuses, before anything is written, a signer whose chain is out of its validity period
 * or revoked. Revocation is checked whenever it can be known — data given or fetchers
 * allowed — and always from B-LT up (where missing data is itself a refusal). Returns what
 * was gathered, so the DSS of B-LT reuses it instead of fetching again.
 */
export async function checkSignerChain(
  certificate: Uint8Array,
  chain: readonly Uint8Array[],
  level: PadesLevel,
  o: ValidationDataOptions,
  now = new Date(),
): Promise<ValidationMaterial | undefined> {
  for (const der of [certificate, ...chain]) {
    const c = parseCertificate(der);
    if (now > c.notAfter) throw new SignatureError('SIGNER_CERT_EXPIRED', `Le certificat « ${c.subject} » a expiré le ${formatDate(c.notAfter)} : signature refusée.`);
    if (now < c.notBefore) {
      throw new SignatureError('SIGNER_CERT_NOT_YET_VALID', `Le certificat « ${c.subject} » n’est valable qu’à partir du ${formatDate(c.notBefore)} : signature refusée.`);
    }
  }
  const required = atLeast(level, 'B-LT');
  const m = o.material;
  if (!required && !o.fetchers && !m?.crls?.length && !m?.ocsps?.length) return undefined;
  let data;
  try {
    data = await gatherChainData(certificate, chain, o);
  } catch (error) {
    if (required) throw error;
    return undefined; // below B-LT, unknown revocation does not stop a signature
  }
  const anchors = data.certs.filter((d) => parseCertificate(d).selfIssued);
  const result = await validatePath({
    certificate,
    intermediates: data.certs,
    trustAnchors: anchors.length ? anchors : data.certs.slice(-1),
    crls: data.crls,
    ocspResponses: data.ocsps,
    time: now,
    revocationRequired: false,
  });
  const revoked = result.revocation.checkedCerts.find((c) => c.status === 'revoked' && !c.revokedAfterTime);
  if (revoked) {
    const since = revoked.revokedAt ? ` depuis le ${formatDate(revoked.revokedAt)}` : '';
    const why = revoked.reason ? ` (motif : ${revoked.reason})` : '';
    throw new SignatureError('SIGNER_CERT_REVOKED', `Le certificat « ${revoked.subject} » est révoqué${since}${why} : signature refusée.`);
  }
  return { certificates: data.certs, crls: data.crls, ocsps: data.ocsps };
}
