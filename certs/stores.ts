/**
 * What the PKI keeps, and the store it keeps it in: a port. certs/ says what it
 * needs; db/repositories/pki.ts implements it over PostgreSQL (migrations 0100,
 * 0150, 0151). Nothing in certs/ reaches a database any other way.
 */
import type { RgsLevel } from './policies.ts';
import type { CaName } from './profiles.ts';
import type { RegistrationRecord } from './registration.ts';
import type { KeyType } from './keys.ts';
import type { SealedKey } from './secret.ts';
import type { RevocationReason } from './revocation/reasons.ts';

export interface CaRecord {
  name: CaName;
  parent: CaName | null;
  profile: string;
  subject: string;
  serial: string;
  certificate: Uint8Array;
  keyType: KeyType;
  keyLocation: string;
  sealedKey: SealedKey | null;
  publicBaseUrl: string;
  notBefore: Date;
  notAfter: Date;
}

export interface IssuedCertificate {
  /** Lowercase hex, no leading zero byte. */
  serial: string;
  caName: CaName;
  subject: string;
  profile: string;
  level: RgsLevel | null;
  keyType: KeyType;
  /** "pkcs12:<file>", "pkcs11:token=<label>;id=<hex>", "server:<name>", "ca:<name>" or "external". */
  keyLocation: string;
  siren: string | null;
  notBefore: Date;
  notAfter: Date;
  issuedAt: Date;
  der: Uint8Array;
}

export interface IssuedFilter {
  caName?: CaName;
  profile?: string;
  level?: RgsLevel;
  siren?: string;
  limit?: number;
}

export interface Revocation {
  caName: string;
  serialHex: string;
  reason: RevocationReason;
  revokedAt: Date;
  invalidityDate: Date | null;
  operator: string;
}

/** A CA's CRL bookkeeping: the last number used and the CRL now served. */
export interface CrlState {
  crlNumber: bigint;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  der: Uint8Array | null;
  /** A revocation happened since `der` was published. */
  stale: boolean;
}

export interface PublishedCrl {
  caName: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Uint8Array;
}

/** The sealed private key of a service (TSA unit, delegated OCSP responder) and its certificate. */
export interface ServiceKeyRecord {
  name: string;
  caName: string;
  serial: string;
  keyType: KeyType;
  sealedKey: SealedKey;
}

export interface PkiStore {
  /** Runs `work` in one transaction: everything it writes is kept, or nothing. */
  transaction<T>(work: (store: PkiStore) => Promise<T>): Promise<T>;
  /** Inside a transaction: waits until no other instance is initialising the PKI. */
  lockInitialisation(): Promise<void>;

  findCa(name: string): Promise<CaRecord | null>;
  /** In creation order. */
  listCas(): Promise<CaRecord[]>;
  insertCa(ca: CaRecord): Promise<void>;

  insertIssued(cert: Omit<IssuedCertificate, 'issuedAt'>): Promise<void>;
  /** Certificates issued by the engine's CAs (CA certificates included, issued by "root"), newest first. */
  listIssuedCertificates(filter?: IssuedFilter): Promise<IssuedCertificate[]>;
  /** `serialHex` in any case, leading zero bytes allowed. */
  findIssuedCertificate(caName: string, serialHex: string): Promise<IssuedCertificate | null>;

  recordRegistration(caName: string, serial: string, record: RegistrationRecord): Promise<void>;
  findRegistration(caName: string, serial: string): Promise<RegistrationRecord | null>;

  /** Records the revocation and marks the CA's CRL stale; null when it was already revoked. */
  insertRevocation(revocation: Omit<Revocation, 'revokedAt'> & { revokedAt?: Date }): Promise<Revocation | null>;
  findRevocation(caName: string, serialHex: string): Promise<Revocation | null>;
  /** Oldest first. */
  listRevocations(caName: string): Promise<Revocation[]>;

  crlState(caName: string): Promise<CrlState | null>;
  /** Inside a transaction: the CA's CRL state, created when missing, locked until the transaction ends. */
  lockCrlState(caName: string): Promise<CrlState>;
  /** Records a new CRL as the one served, and in the history. */
  saveCrl(crl: PublishedCrl): Promise<void>;

  /**
   * Reserves `size` TSA serials for `tsaName` and returns the first; the counter
   * starts at 1 and never goes back, across restarts and instances.
   */
  reserveTsaSerials(tsaName: string, size: bigint): Promise<bigint>;

  findServiceKey(name: string): Promise<ServiceKeyRecord | null>;
  /** Two instances starting together: the first one's key is kept, the second insert is ignored. */
  insertServiceKey(key: ServiceKeyRecord): Promise<void>;
}
