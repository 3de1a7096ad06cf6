/**
 * NIST PKITS (246 cases, as pyHanko-certvalidator describes and runs them) through
 * validatePath: each verdict must be the expected one, and no invalid path may pass.
 * Data and provenance: test/fixtures/pkits/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath, type PathValidationInput, type PathValidationResult } from '../../certs/validation/index.ts';

interface PkitsCase {
  id: string;
  name: string;
  cert: string;
  other_certs?: string[];
  /** The path pyHanko is given instead of building one (name chaining cases). */
  path_intermediates?: string[];
  crls?: string[];
  path_len: number;
  revocation?: boolean;
  params?: {
    user_initial_policy_set?: string[];
    initial_explicit_policy?: boolean;
    initial_policy_mapping_inhibit?: boolean;
    initial_any_policy_inhibit?: boolean;
  };
  error?: { class: string; msg_regex: string };
}

type Verdict = 'valid' | 'revoked' | 'revocation status unknown' | 'invalid';

const DIR = path.resolve(import.meta.dirname, '../fixtures/pkits');
const TIME = new Date('2022-05-01T00:00:00Z');
const cases = JSON.parse(fs.readFileSync(path.join(DIR, 'pkits.json'), 'utf8')) as PkitsCase[];
const read = (folder: 'certs' | 'crls', name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(DIR, folder, name)));

/**
 * Valid DSA paths that the validator refuses on purpose: DSA (FIPS 186-5 withdrew it for
 * signing) with SHA-1 is a weak algorithm here, as for every certificate signature.
 */
const REFUSED_DSA: ReadonlySet<string> = new Set(['40104', '40105']);

function expected(c: PkitsCase): Verdict {
  switch (c.error?.class) {
    case undefined:
      return 'valid';
    case 'RevokedError':
      return 'revoked';
    case 'InsufficientRevinfoError':
    case 'StaleRevinfoError':
      return 'revocation status unknown';
    default:
      return 'invalid';
  }
}

function verdict(result: PathValidationResult): Verdict {
  if (result.indication === 'PASSED') return 'valid';
  if (result.subIndication === 'REVOKED') return 'revoked';
  if (result.subIndication === 'TRY_LATER' || result.subIndication === 'REVOCATION_OUT_OF_BOUNDS_NO_POE') return 'revocation status unknown';
  return 'invalid';
}

function input(c: PkitsCase): PathValidationInput {
  const required = c.revocation !== false;
  const p = c.params ?? {};
  return {
    certificate: read('certs', c.cert),
    intermediates: (c.path_intermediates ?? c.other_certs ?? []).map((name) => read('certs', name)),
    trustAnchors: [read('certs', 'TrustAnchorRootCertificate.crt')],
    crls: [read('crls', 'TrustAnchorRootCRL.crl'), ...(c.crls ?? []).map((name) => read('crls', name))],
    time: TIME,
    purpose: 'any',
    revocationRequired: required,
    revocationRequiredForCAs: required,
    ...(p.user_initial_policy_set ? { initialPolicySet: p.user_initial_policy_set } : {}),
    ...(p.initial_explicit_policy ? { initialExplicitPolicy: true } : {}),
    ...(p.initial_policy_mapping_inhibit ? { initialPolicyMappingInhibit: true } : {}),
    ...(p.initial_any_policy_inhibit ? { initialAnyPolicyInhibit: true } : {}),
  };
}

const label = (c: PkitsCase): string => `${c.id.replace(/^4(\d\d)(\d\d)$/, (_, s: string, t: string) => `4.${Number(s)}.${Number(t)}`)} ${c.name}`;
const results = new Map<PkitsCase, PathValidationResult>();

beforeAll(async () => {
  for (const c of cases) results.set(c, await validatePath(input(c)));
});

describe('NIST PKITS through validatePath', () => {
  it('has the 246 cases pyHanko runs', () => {
    expect(cases).toHaveLength(246);
  });

  it.each(cases.filter((c) => !REFUSED_DSA.has(c.id)).map((c) => [label(c), c] as const))('%s', (_, c) => {
    const result = results.get(c)!;
    const context = `${result.indication}/${result.subIndication ?? '-'}: ${result.reasons.slice(0, 3).join(' | ')}`;
    expect(verdict(result), context).toBe(expected(c));
    if (expected(c) !== 'valid') return;
    expect(result.path, context).toHaveLength(c.path_len);
    // As pyHanko checks too: a path valid under a user-initial-policy-set is valid for policies of that set only.
    const user = c.params?.user_initial_policy_set;
    if (user) for (const policy of result.validPolicies) expect(user, context).toContain(policy);
  });

  it.each(cases.filter((c) => REFUSED_DSA.has(c.id)).map((c) => [label(c), c] as const))('%s: refused as a weak algorithm (documented exception)', (_, c) => {
    const result = results.get(c)!;
    expect(expected(c)).toBe('valid');
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE');
  });

  it('accepts no invalid path, and agrees on every case but the documented DSA ones', () => {
    const wrong = cases.filter((c) => verdict(results.get(c)!) !== expected(c));
    const accepted = wrong.filter((c) => verdict(results.get(c)!) === 'valid');
    const agreeing = cases.length - wrong.length;
    console.log(`PKITS: ${agreeing}/${cases.length} verdicts as expected; ${accepted.length} invalid path(s) accepted; differing: ${wrong.map(label).join(', ') || 'none'}`);
    expect(accepted.map(label)).toEqual([]);
    expect(wrong.map((c) => c.id).sort()).toEqual([...REFUSED_DSA].sort());
  });
});
