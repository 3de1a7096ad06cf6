import { describe, expect, it } from 'vitest';
import { CA_MAX_DAYS, CA_NAMES, CA_PROFILES, caUrls, EKU, getProfile, HOLDER_MAX_DAYS, holderProfileFor, OID_OCSP_NOCHECK, PROFILES } from '../../certs/profiles.ts';
import { checkPersonName, checkSiren, isValidSiren } from '../../certs/subject.ts';
import { DEFAULT_POLICY_MAP, parsePolicyMap, POLICY_OIDS, rgsLevelOf } from '../../certs/policies.ts';
import { checkRegistration, hashDocumentNumber } from '../../certs/registration.ts';
import { parseKeyType } from '../../certs/keys.ts';
import { PkiError } from '../../certs/errors.ts';

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PkiError);
    return (error as PkiError).code;
  }
  return 'no error';
}

describe('the profiles table', () => {
  it('keeps the RGS rules: validity, key usage, key store per level, policies', () => {
    for (const profile of Object.values(PROFILES)) {
      expect(profile.validityDays).toBeLessThanOrEqual(profile.kind === 'ca' ? CA_MAX_DAYS : HOLDER_MAX_DAYS);
      expect(profile.keyTypes.length).toBeGreaterThan(0);
      if (profile.kind === 'ca') {
        expect(profile.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
        expect(profile.basicConstraints.ca).toBe(true);
        expect(profile.basicConstraints.pathLength).toBe(profile.issuer === null ? 1 : 0);
        expect(profile.keyTypes).not.toContain('rsa2048');
      } else {
        expect(profile.basicConstraints.ca).toBe(false);
        expect(profile.policies).toHaveLength(1);
      }
      if (profile.level !== null) {
        expect(profile.keyUsage).toEqual(['nonRepudiation']);
        expect(profile.keyStore).toBe(profile.level === 1 ? 'software' : 'token');
        expect(profile.identityCheck).toBe(profile.level === 1 ? 'remote' : 'face_to_face');
        expect(DEFAULT_POLICY_MAP[profile.policies[0]!]).toBe(profile.level);
      }
      if (profile.kind !== 'ca' && profile.issuer) {
        // the issuing CA asserts the policy of every profile it issues
        expect(getProfile(CA_PROFILES[profile.issuer]).policies).toContain(profile.policies[0]);
      }
    }
    expect(PROFILES.authentication.keyUsage).toEqual(['digitalSignature']);
    expect(PROFILES.authentication.extendedKeyUsage).toEqual([EKU.clientAuth]);
    expect(PROFILES.tsa.extendedKeyUsage).toEqual([EKU.timeStamping]);
    expect(PROFILES.tsa.extendedKeyUsageCritical).toBe(true);
    expect(PROFILES['ocsp-responder'].extendedKeyUsage).toEqual([EKU.ocspSigning]);
    expect(PROFILES['ocsp-responder'].ocspNoCheck).toBe(true);
    expect(OID_OCSP_NOCHECK).toBe('1.3.6.1.5.5.7.48.1.5');
    expect(Object.keys(CA_PROFILES)).toEqual([...CA_NAMES]);
  });

  it('maps levels to profiles and builds URLs from the public base', () => {
    expect(holderProfileFor({ level: 1 })).toBe('person-rgs1');
    expect(holderProfileFor({ level: 3 })).toBe('person-rgs3');
    expect(holderProfileFor({ level: 3, seal: true })).toBe('seal-rgs3');
    expect(code(() => holderProfileFor({ level: 2, seal: true }))).toBe('INVALID_LEVEL');
    expect(caUrls('https://pki.example.fr/', 'rgs2')).toEqual({
      crl: 'https://pki.example.fr/pki/crl/rgs2.crl',
      ocsp: 'https://pki.example.fr/pki/ocsp',
      caIssuers: 'https://pki.example.fr/pki/ca/rgs2.cer',
    });
    expect(code(() => getProfile('inconnu'))).toBe('UNKNOWN_PROFILE');
    expect(code(() => parseKeyType('rsa1024'))).toBe('UNKNOWN_KEY_TYPE');
    expect(parseKeyType('ec384')).toBe('ec384');
  });
});

describe('subject rules', () => {
  it('SIREN: 9 digits with a Luhn check, La Poste excepted', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('552100554')).toBe(true);
    expect(isValidSiren('356000000')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
    expect(isValidSiren('73282932')).toBe(false);
    expect(isValidSiren('73282932a')).toBe(false);
    expect(checkSiren('732 829 320')).toBe('732829320');
    expect(code(() => checkSiren('123456789'))).toBe('INVALID_SIREN');
    expect(code(() => checkSiren(''))).toBe('INVALID_SIREN');
  });

  it('names: "Prénom Nom" with accents, hyphens and apostrophes', () => {
    expect(checkPersonName('  Élodie   Dupont-Marchal ')).toBe('Élodie Dupont-Marchal');
    expect(checkPersonName('Jean d’Ormesson')).toBe('Jean d’Ormesson');
    for (const bad of ['Camille', '', 'Camille Martin3', 'Camille\nMartin', 'CN=x, O=y', 'a '.repeat(40)]) {
      expect(code(() => checkPersonName(bad))).toBe('INVALID_NAME');
    }
  });
});

describe('registration rules', () => {
  it('face to face for ** and ***, identity document recorded as a hash only', () => {
    const evidence = { identityCheck: 'face_to_face' as const, operator: 'agence', documentType: 'passport' as const, documentNumber: '19ab-12345' };
    const record = checkRegistration(PROFILES['person-rgs3'], evidence);
    expect(record.documentNumberSha256).toBe(hashDocumentNumber('19AB12345'));
    expect(JSON.stringify(record)).not.toMatch(/12345/);
    expect(code(() => checkRegistration(PROFILES['person-rgs2'], { ...evidence, identityCheck: 'remote' }))).toBe('FACE_TO_FACE_REQUIRED');
    expect(code(() => checkRegistration(PROFILES['person-rgs2'], undefined))).toBe('REGISTRATION_MISSING');
    expect(code(() => checkRegistration(PROFILES['person-rgs1'], { identityCheck: 'remote', operator: ' ' }))).toBe('REGISTRATION_INVALID');
    expect(code(() => checkRegistration(PROFILES['person-rgs1'], { identityCheck: 'visio' as never, operator: 'x' }))).toBe('REGISTRATION_INVALID');
    expect(code(() => checkRegistration(PROFILES['person-rgs1'], { identityCheck: 'remote', operator: 'x', documentType: 'permis' as never }))).toBe('REGISTRATION_INVALID');
    expect(code(() => checkRegistration(PROFILES['person-rgs1'], { identityCheck: 'remote', operator: 'x', checkedAt: new Date(Date.now() + 86_400_000) }))).toBe(
      'REGISTRATION_INVALID',
    );
    expect(checkRegistration(PROFILES['person-rgs1'], { identityCheck: 'remote', operator: 'x' }).documentNumberSha256).toBeNull();
  });
});

describe('policy map', () => {
  it('maps the engine policies and external ones configured by PASSEPORT_POLICY_MAP', () => {
    const map = parsePolicyMap('1.2.250.1.177.1.0.1.1=3, 1.2.3.4=1');
    expect(rgsLevelOf([POLICY_OIDS.rgs2], map)).toBe(2);
    expect(rgsLevelOf(['1.2.250.1.177.1.0.1.1'], map)).toBe(3);
    expect(rgsLevelOf([POLICY_OIDS.authentication], map)).toBeNull();
    expect(() => parsePolicyMap('1.2.3=4')).toThrow(/OID=1/);
  });
});
