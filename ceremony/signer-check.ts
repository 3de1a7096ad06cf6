/**
 * Signing-time checks of a signer's certificate (signatures.md « Signing-time
 * checks »): it names the party's signer (name and SIREN), reaches the RGS
 * level the protocol requires for this amount, is valid now, chains to a
 * trusted root, allows non-repudiation and is not revoked. Each refusal
 * carries a stable code and says in French exactly what is wrong.
 */
import { parseCertificate, type ParsedCertificate } from '../asn1/index.ts';
import { rgsLevelOf, type PolicyLevelMap, type RgsLevel } from '../certs/policies.ts';
import { validatePath, type RevocationFetcher } from '../certs/validation/index.ts';
import { PARTY_LABEL, PARTY_TO, rgsStars, type Party, type SigningRefusal } from '../domain/ceremony.ts';
import { sameName, subjectFields, type ExpectedSigner } from './identity.ts';
import { PasseportError } from '../errors/index.ts';

/** A refusal of a signing step: `code` for callers, `message` (French) for people. */
export class SigningRefused extends PasseportError<SigningRefusal> {}

export type KeyStore = 'token' | 'software' | 'unknown';

/** What the checks established about a certificate: the evidence prints it. */
export interface CertificateFacts {
  subject: string;
  commonName: string;
  siren: string;
  issuer: string;
  /** Lower-case hex. */
  serial: string;
  notBefore: string;
  notAfter: string;
  rgsLevel: RgsLevel;
  keyStore: KeyStore;
  /** When the checks ran (the revocation status is as of then). */
  checkedAt: string;
}

export interface TrustContext {
  trustAnchors: Uint8Array[];
  /** CA certificates that may complete a chain (the engine's own CAs). */
  intermediates: Uint8Array[];
  /** Revocation data at hand (the engine's CAs' current CRLs); what it does not settle is fetched. */
  currentCrls(): Promise<Uint8Array[]>;
  fetchRevocation: RevocationFetcher;
  policyMap?: PolicyLevelMap;
  /** Where the key lives, when the issuing PKI recorded it. */
  keyStoreOf(certificate: ParsedCertificate): Promise<KeyStore>;
}

export interface SignerCheck {
  party: Party;
  certificate: Uint8Array;
  chain: readonly Uint8Array[];
  expected: ExpectedSigner;
  requiredLevel: RgsLevel;
  at: Date;
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

export async function checkSignerCertificate(check: SignerCheck, trust: TrustContext): Promise<CertificateFacts> {
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(check.certificate);
  } catch (error) {
    throw new SigningRefused('certificate_unusable', `Le certificat transmis est illisible (${(error as Error).message}).`);
  }
  const who = PARTY_LABEL[check.party];
  if (cert.notBefore.getTime() > check.at.getTime()) {
    throw new SigningRefused('certificate_not_yet_valid', `Ce certificat n’est valable qu’à partir du ${day(cert.notBefore)} : il ne peut pas encore signer.`);
  }
  if (cert.notAfter.getTime() < check.at.getTime()) {
    throw new SigningRefused('certificate_expired', `Ce certificat a expiré le ${day(cert.notAfter)} : demandez-en un nouveau à votre autorité de certification.`);
  }

  const fields = subjectFields(cert.subjectName);
  if (!fields.commonName || !sameName(fields.commonName, check.expected.name)) {
    throw new SigningRefused('name_mismatch', `Ce certificat est au nom de « ${fields.commonName ?? 'personne'} », or ${who} doit signer au nom de « ${check.expected.name} ».`);
  }
  if (fields.siren !== check.expected.siren) {
    throw new SigningRefused(
      'siren_mismatch',
      fields.siren
        ? `Ce certificat porte le SIREN ${fields.siren}, or ${who} signe pour le SIREN ${check.expected.siren}.`
        : `Ce certificat ne porte aucun SIREN (attendu : ${check.expected.siren}, dans « OU=0002 ${check.expected.siren} »).`,
    );
  }
  const level = rgsLevelOf(cert.policies, trust.policyMap);
  if (level === null || level < check.requiredLevel) {
    throw new SigningRefused(
      'level_too_low',
      `Ce contrat demande ${PARTY_TO[check.party]} une signature de niveau ${rgsStars(check.requiredLevel)} au moins ; ce certificat est ${level ? `de niveau ${rgsStars(level)}` : 'sans niveau RGS reconnu'}.`,
    );
  }

  const path = await validatePath({
    certificate: check.certificate,
    intermediates: [...check.chain, ...trust.intermediates],
    trustAnchors: trust.trustAnchors,
    time: check.at,
    purpose: 'signature',
    crls: await trust.currentCrls(),
    fetchRevocation: trust.fetchRevocation,
    ...(trust.policyMap ? { policyMap: trust.policyMap } : {}),
  });
  if (path.indication !== 'PASSED') {
    const reason = path.reasons[0] ?? 'raison inconnue';
    if (path.subIndication === 'REVOKED') {
      const when = path.revocation.revokedAt ? ` le ${day(path.revocation.revokedAt)}` : '';
      throw new SigningRefused('certificate_revoked', `Ce certificat a été révoqué${when} : il ne peut plus signer.`);
    }
    if (path.subIndication === 'KEY_USAGE_FAILURE') {
      throw new SigningRefused('certificate_unusable', `Ce certificat ne sert pas à signer (usage de clé nonRepudiation absent).`);
    }
    if (path.subIndication === 'TRY_LATER' || path.subIndication === 'REVOCATION_OUT_OF_BOUNDS_NO_POE') {
      throw new SigningRefused('certificate_untrusted', `Le statut de révocation de ce certificat n’a pas pu être vérifié : ${reason}.`);
    }
    throw new SigningRefused('certificate_untrusted', `Ce certificat n’est pas reconnu par la plateforme : ${reason}.`);
  }

  return {
    subject: cert.subject,
    commonName: fields.commonName,
    siren: fields.siren,
    issuer: cert.issuer,
    serial: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    rgsLevel: level,
    keyStore: await trust.keyStoreOf(cert),
    checkedAt: check.at.toISOString(),
  };
}
