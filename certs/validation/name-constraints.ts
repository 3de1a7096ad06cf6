/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)). The permitted subtrees of
 * every CA above a certificate must each admit its names (their intersection), and
 * no excluded subtree may contain one. Directory names, e-mail addresses (in
 * subjectAltName and as emailAddress in the subject), DNS names, URIs and IP
 * addresses are checked; a constraint on another form rejects any name of that form.
 */
import { OID, type ParsedCertificate } from '../../asn1/index.ts';
import type { NameSubtrees } from './extensions.ts';
import type { GeneralName } from './general-names.ts';

export interface ImposedConstraints {
  /** The CA whose nameConstraints these are, for the reason. */
  by: string;
  subtrees: NameSubtrees;
}

/** The first name of `cert` that the constraints reject, described in French; null when all pass. */
export function nameConstraintViolation(cert: ParsedCertificate, altNames: GeneralName[], imposed: readonly ImposedConstraints[]): string | null {
  if (imposed.length === 0) return null;
  const names: GeneralName[] = [];
  if (cert.subjectName.rdns.length > 0) names.push({ type: 'directory', name: cert.subjectName, der: cert.subjectDer });
  for (const rdn of cert.subjectName.rdns) {
    for (const attribute of rdn) if (attribute.oid === OID.emailAddress) names.push({ type: 'email', value: attribute.value });
  }
  names.push(...altNames);
  for (const name of names) {
    for (const { by, subtrees } of imposed) {
      const permitted = subtrees.permitted.filter((base) => base.type === name.type);
      if (permitted.length > 0 && !permitted.some((base) => within(name, base))) {
        return `le nom ${describe(name)} du certificat « ${cert.subject} » est hors des noms permis par « ${by} »`;
      }
      if (subtrees.excluded.some((base) => base.type === name.type && within(name, base))) {
        return `le nom ${describe(name)} du certificat « ${cert.subject} » fait partie des noms exclus par « ${by} »`;
      }
    }
  }
  return null;
}

function describe(name: GeneralName): string {
  switch (name.type) {
    case 'directory':
      return `« ${name.name.text} »`;
    case 'ip':
      return `IP ${[...name.bytes].join('.')}`;
    case 'other':
      return `de type ${name.tag & 0x1f}`;
    default:
      return `« ${name.value} »`;
  }
}

/** Whether `name` lies in the subtree whose base is `base` (same form). */
function within(name: GeneralName, base: GeneralName): boolean {
  switch (name.type) {
    case 'directory':
      return base.type === 'directory' && base.name.rdnKeys.every((key, i) => name.name.rdnKeys[i] === key);
    case 'email':
      return base.type === 'email' && emailWithin(name.value, base.value);
    case 'dns':
      return base.type === 'dns' && dnsWithin(name.value.toLowerCase(), base.value.toLowerCase());
    case 'uri': {
      const host = uriHost(name.value);
      return base.type === 'uri' && host !== null && hostWithin(host, base.value.toLowerCase());
    }
    case 'ip':
      return base.type === 'ip' && ipWithin(name.bytes, base.bytes);
    case 'other':
      // A form this validator cannot compare: any constraint on it rejects the name.
      return false;
  }
}

/** « host.example.com » admits itself and every name with more labels on the left; an empty base admits all. */
function dnsWithin(name: string, base: string): boolean {
  if (base === '') return true;
  if (base.startsWith('.')) return name.endsWith(base);
  return name === base || name.endsWith(`.${base}`);
}

/** A mailbox (exact), a host (every mailbox on it) or « .domain » (every host below it). */
function emailWithin(mailbox: string, base: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at < 0) return false;
  const host = mailbox.slice(at + 1).toLowerCase();
  if (base.includes('@')) {
    const baseAt = base.lastIndexOf('@');
    return mailbox.slice(0, at) === base.slice(0, baseAt) && host === base.slice(baseAt + 1).toLowerCase();
  }
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** URI constraints name a host (exactly) or « .domain » (hosts below it). */
function hostWithin(host: string, base: string): boolean {
  return base.startsWith('.') ? host.endsWith(base) : host === base;
}

/** The host of a URI with an authority; null when it has none (then no constraint can admit it). */
function uriHost(uri: string): string | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return match && match[1] ? match[1].toLowerCase() : null;
}

/** An address (4 or 16 octets) against a base of address and mask (8 or 32 octets). */
function ipWithin(address: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== address.length * 2) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = base[address.length + i]!;
    if ((address[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
}
