import { OID } from '../asn1/index.ts';
import { POLICY_OIDS, type RgsLevel } from './policies.ts';
import type { KeyType } from './keys.ts';
import { PkiError } from './errors.ts';

/**
 * Every certificate the engine issues, in one table. Issuance (issue.ts, ca.ts)
 * reads nothing else: a new profile is a new row.
 */
export const CA_NAMES = ['root', 'rgs1', 'rgs2', 'rgs3', 'seal', 'tsa'] as const;
export type CaName = (typeof CA_NAMES)[number];

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign';
export type KeyStoreKind = 'software' | 'token' | 'ca-store';
export type IdentityCheck = 'remote' | 'face_to_face';
export type SubjectKind = 'person' | 'organisation' | 'engine';

export const EKU = {
  clientAuth: OID.clientAuth,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  ocspSigning: OID.ocspSigning,
} as const;

export const OID_OCSP_NOCHECK = OID.ocspNoCheck;

export interface CertificateProfile {
  readonly name: string;
  /** What the profile is for, in French (shown by `pki list` and docs). */
  readonly label: string;
  readonly kind: 'ca' | 'holder' | 'service';
  /** The CA that signs certificates of this profile (null: self-signed root). */
  readonly issuer: CaName | null;
  readonly level: RgsLevel | null;
  readonly keyTypes: readonly KeyType[];
  /** Where the subject's private key must live: RGS * software, ** and *** a token. */
  readonly keyStore: KeyStoreKind;
  /** The weakest identity check accepted at registration (null: no registration). */
  readonly identityCheck: IdentityCheck | null;
  readonly validityDays: number;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extendedKeyUsage: readonly string[];
  readonly extendedKeyUsageCritical: boolean;
  readonly subject: SubjectKind;
  readonly policies: readonly string[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number };
  readonly ocspNoCheck: boolean;
  /** CRL distribution point and AIA (OCSP + caIssuers) of the issuing CA. */
  readonly revocationPointers: boolean;
}

export const HOLDER_MAX_DAYS = 3 * 365;
export const CA_MAX_DAYS = 10 * 365;

const CA_USAGE: readonly KeyUsageName[] = ['keyCertSign', 'cRLSign'];
const ALL_KEYS: readonly KeyType[] = ['rsa2048', 'rsa3072', 'ec256', 'ec384'];
const CA_KEYS: readonly KeyType[] = ['rsa3072', 'ec256', 'ec384'];

function ca(name: string, label: string, issuer: CaName | null, policies: readonly string[], pathLength: number): CertificateProfile {
  return {
    name,
    label,
    kind: 'ca',
    issuer,
    level: null,
    keyTypes: CA_KEYS,
    keyStore: 'ca-store',
    identityCheck: null,
    validityDays: CA_MAX_DAYS,
    keyUsage: CA_USAGE,
    extendedKeyUsage: [],
    extendedKeyUsageCritical: false,
    subject: 'engine',
    policies,
    basicConstraints: { ca: true, pathLength },
    ocspNoCheck: false,
    revocationPointers: issuer !== null,
  };
}

function holder(
  name: string,
  label: string,
  issuer: CaName,
  level: RgsLevel | null,
  policy: string,
  options: { keyStore: KeyStoreKind; identityCheck: IdentityCheck; subject: SubjectKind; keyUsage: readonly KeyUsageName[]; eku: readonly string[] },
): CertificateProfile {
  return {
    name,
    label,
    kind: 'holder',
    issuer,
    level,
    keyTypes: ALL_KEYS,
    keyStore: options.keyStore,
    identityCheck: options.identityCheck,
    validityDays: HOLDER_MAX_DAYS,
    keyUsage: options.keyUsage,
    extendedKeyUsage: options.eku,
    extendedKeyUsageCritical: false,
    subject: options.subject,
    policies: [policy],
    basicConstraints: { ca: false },
    ocspNoCheck: false,
    revocationPointers: true,
  };
}

const SIGN = ['nonRepudiation'] as const;

export const PROFILES = {
  'root-ca': ca('root-ca', 'AC racine', null, [], 1),
  'ca-rgs1': ca('ca-rgs1', 'AC personnes RGS *', 'root', [POLICY_OIDS.rgs1, POLICY_OIDS.authentication, POLICY_OIDS.ocspResponder], 0),
  'ca-rgs2': ca('ca-rgs2', 'AC personnes RGS **', 'root', [POLICY_OIDS.rgs2, POLICY_OIDS.ocspResponder], 0),
  'ca-rgs3': ca('ca-rgs3', 'AC personnes RGS ***', 'root', [POLICY_OIDS.rgs3, POLICY_OIDS.ocspResponder], 0),
  'ca-seal': ca('ca-seal', 'AC cachets RGS ***', 'root', [POLICY_OIDS.seal3, POLICY_OIDS.ocspResponder], 0),
  'ca-tsa': ca('ca-tsa', 'AC horodatage', 'root', [POLICY_OIDS.tsaUnit, POLICY_OIDS.ocspResponder], 0),
  'person-rgs1': holder('person-rgs1', 'Signature personne RGS *', 'rgs1', 1, POLICY_OIDS.rgs1, {
    keyStore: 'software',
    identityCheck: 'remote',
    subject: 'person',
    keyUsage: SIGN,
    eku: [],
  }),
  'person-rgs2': holder('person-rgs2', 'Signature personne RGS **', 'rgs2', 2, POLICY_OIDS.rgs2, {
    keyStore: 'token',
    identityCheck: 'face_to_face',
    subject: 'person',
    keyUsage: SIGN,
    eku: [],
  }),
  'person-rgs3': holder('person-rgs3', 'Signature personne RGS ***', 'rgs3', 3, POLICY_OIDS.rgs3, {
    keyStore: 'token',
    identityCheck: 'face_to_face',
    subject: 'person',
    keyUsage: SIGN,
    eku: [],
  }),
  'seal-rgs3': holder('seal-rgs3', 'Cachet d’organisation RGS ***', 'seal', 3, POLICY_OIDS.seal3, {
    keyStore: 'token',
    identityCheck: 'face_to_face',
    subject: 'organisation',
    keyUsage: SIGN,
    eku: [],
  }),
  authentication: holder('authentication', 'Authentification personne', 'rgs1', null, POLICY_OIDS.authentication, {
    keyStore: 'software',
    identityCheck: 'remote',
    subject: 'person',
    keyUsage: ['digitalSignature'],
    eku: [EKU.clientAuth],
  }),
  tsa: {
    name: 'tsa',
    label: 'Unité d’horodatage (TSA)',
    kind: 'service',
    issuer: 'tsa',
    level: null,
    keyTypes: ALL_KEYS,
    keyStore: 'ca-store',
    identityCheck: null,
    validityDays: HOLDER_MAX_DAYS,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [EKU.timeStamping],
    extendedKeyUsageCritical: true,
    subject: 'engine',
    policies: [POLICY_OIDS.tsaUnit],
    basicConstraints: { ca: false },
    ocspNoCheck: false,
    revocationPointers: true,
  },
  'ocsp-responder': {
    name: 'ocsp-responder',
    label: 'Répondeur OCSP délégué',
    kind: 'service',
    issuer: null,
    level: null,
    keyTypes: ALL_KEYS,
    keyStore: 'ca-store',
    identityCheck: null,
    validityDays: 365,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [EKU.ocspSigning],
    extendedKeyUsageCritical: false,
    subject: 'engine',
    policies: [POLICY_OIDS.ocspResponder],
    // id-pkix-ocsp-nocheck: no revocation pointers, the responder is trusted for its short life
    basicConstraints: { ca: false },
    ocspNoCheck: true,
    revocationPointers: false,
  },
} as const satisfies Record<string, CertificateProfile>;

export type ProfileName = keyof typeof PROFILES;
export type HolderProfileName = 'person-rgs1' | 'person-rgs2' | 'person-rgs3' | 'seal-rgs3' | 'authentication';
export type ServiceProfileName = 'tsa' | 'ocsp-responder';

/** The CA profile of each CA of the hierarchy. */
export const CA_PROFILES: Readonly<Record<CaName, ProfileName>> = {
  root: 'root-ca',
  rgs1: 'ca-rgs1',
  rgs2: 'ca-rgs2',
  rgs3: 'ca-rgs3',
  seal: 'ca-seal',
  tsa: 'ca-tsa',
};

export const CA_COMMON_NAMES: Readonly<Record<CaName, string>> = {
  root: 'Passeport AC Racine',
  rgs1: 'Passeport AC Personnes RGS *',
  rgs2: 'Passeport AC Personnes RGS **',
  rgs3: 'Passeport AC Personnes RGS ***',
  seal: 'Passeport AC Cachets RGS ***',
  tsa: 'Passeport AC Horodatage',
};

export function getProfile(name: string): CertificateProfile {
  const profile = (PROFILES as Record<string, CertificateProfile>)[name];
  if (!profile) throw new PkiError('UNKNOWN_PROFILE', `Profil de certificat inconnu « ${name} » : ${Object.keys(PROFILES).join(', ')}.`);
  return profile;
}

export function isCaName(name: string): name is CaName {
  return (CA_NAMES as readonly string[]).includes(name);
}

/** The holder profile for a person at an RGS level, or the seal profile. */
export function holderProfileFor(options: { level: RgsLevel; seal?: boolean }): HolderProfileName {
  if (options.seal) {
    if (options.level !== 3) throw new PkiError('INVALID_LEVEL', 'Un cachet d’organisation est émis au niveau RGS *** (niveau 3) uniquement.');
    return 'seal-rgs3';
  }
  return `person-rgs${options.level}`;
}

/** Public URLs of a CA's services, under the engine's public base URL. */
export function caUrls(base: string, ca: CaName): { crl: string; ocsp: string; caIssuers: string } {
  const root = base.replace(/\/+$/, '');
  return { crl: `${root}/pki/crl/${ca}.crl`, ocsp: `${root}/pki/ocsp`, caIssuers: `${root}/pki/ca/${ca}.cer` };
}
