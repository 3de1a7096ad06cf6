/** The ceremony's pure rules: levels per protocol and amount, the offer's term, the start of the rents, the validators' refusals. */
import { describe, expect, it } from 'vitest';
import { contractNumber, contractStartDate, offerTerm, requiredLevels } from '../../domain/ceremony.ts';
import { DEFAULT_REQUIRED_RGS_LEVELS } from '../../domain/policy.ts';
import { declineRefusal, signRefusal, turnRefusal, type CeremonyState } from '../../workflows/signing-refusals.ts';

const NOW = Date.parse('2026-03-05T13:00:00Z');

function state(overrides: Partial<CeremonyState> = {}): CeremonyState {
  return {
    stage: 'awaiting_revendeur',
    lapsesAt: '2026-04-05T22:00:00.000Z',
    levels: { createur: 1, revendeur: 1, banque: 3 },
    signedAt: { createur: '2026-03-05T12:00:00.000Z' },
    inFlight: null,
    preparations: { 'p-1': { party: 'revendeur', rgsLevel: 1, notAfter: '2027-01-01T00:00:00Z' } },
    used: [],
    declinedBy: null,
    ...overrides,
  };
}

describe('levels, terms and dates', () => {
  it('asks the créateur RGS * up to 15 000 € HT and RGS ** above; the revendeur *, the bank ***; a protocol may ask more', () => {
    expect(requiredLevels(DEFAULT_REQUIRED_RGS_LEVELS, 1_500_000)).toEqual({ createur: 1, revendeur: 1, banque: 3 });
    expect(requiredLevels(DEFAULT_REQUIRED_RGS_LEVELS, 1_500_001)).toEqual({ createur: 2, revendeur: 1, banque: 3 });
    expect(requiredLevels({ createur: { upToCents: 0, below: 2, above: 3 }, revendeur: 2, bank: 3 }, 100_000)).toEqual({ createur: 3, revendeur: 2, banque: 3 });
  });

  it('holds an offer of whole days to the end of its last Paris day, summer time included; shorter offers to the second', () => {
    expect(offerTerm('2026-03-05T13:05:00Z', 30 * 86_400)).toEqual({ expiresOn: '2026-04-04', lapsesAt: '2026-04-04T22:00:00.000Z' });
    expect(offerTerm('2026-01-10T09:00:00Z', 30 * 86_400)).toEqual({ expiresOn: '2026-02-09', lapsesAt: '2026-02-09T23:00:00.000Z' });
    // Decided at 00:30 in Paris on 1 January (23:30 UTC the day before): the offer counts from the Paris date.
    expect(offerTerm('2026-12-31T23:30:00Z', 86_400)).toEqual({ expiresOn: '2027-01-02', lapsesAt: '2027-01-02T23:00:00.000Z' });
    expect(offerTerm('2026-03-05T13:05:00Z', 90)).toEqual({ expiresOn: '2026-03-05', lapsesAt: '2026-03-05T13:06:30.000Z' });
  });

  it('starts the rents on the first of the next Paris month; numbers the contract by product, year and dossier', () => {
    expect(contractStartDate('2026-03-05T13:05:00Z')).toBe('2026-04-01');
    expect(contractStartDate('2026-12-31T23:30:00Z')).toBe('2027-02-01');
    expect(contractStartDate('2026-12-15T10:00:00Z')).toBe('2027-01-01');
    expect(contractNumber('credit_bail', '2026-03-05T13:05:00Z', 'd6f1c0de-2026-4a5b-9c3d-000000000101')).toBe('CB-2026-D6F1C0DE20');
    expect(contractNumber('location_financiere', '2026-03-05T13:05:00Z', 'd6f1c0de-2026-4a5b-9c3d-000000000101')).toBe('LF-2026-D6F1C0DE20');
  });
});

describe('the validators’ refusals', () => {
  it('takes the party whose turn it is, and nobody else', () => {
    expect(turnRefusal(state(), 'revendeur', NOW)).toBeNull();
    expect(turnRefusal(state(), 'banque', NOW)).toMatchObject({ code: 'not_your_turn', message: expect.stringMatching(/pas à la banque.*signature du fournisseur/) });
    expect(turnRefusal(state(), 'createur', NOW)).toMatchObject({ code: 'already_signed' });
    expect(turnRefusal(state({ inFlight: 'revendeur' }), 'revendeur', NOW)).toMatchObject({ code: 'signature_in_progress' });
    expect(turnRefusal(state({ stage: 'writing_contract', signedAt: {} }), 'createur', NOW)).toMatchObject({ code: 'not_your_turn', message: /pas encore prêt/ });
    expect(turnRefusal(state(), 'notary' as never, NOW)).toMatchObject({ code: 'wrong_party' });
  });

  it('refuses once the offer lapsed, even before the workflow noticed; and when closed', () => {
    expect(turnRefusal(state(), 'revendeur', Date.parse('2026-04-05T22:00:00Z'))).toMatchObject({ code: 'offer_lapsed' });
    expect(turnRefusal(state({ stage: 'lapsed' }), 'revendeur', NOW)).toMatchObject({ code: 'offer_lapsed' });
    expect(turnRefusal(state({ stage: 'declined', declinedBy: 'banque' }), 'revendeur', NOW)).toMatchObject({ code: 'ceremony_closed', message: /refusée par la banque/ });
    expect(turnRefusal(state({ stage: 'letter_sealed' }), 'createur', NOW)).toMatchObject({ code: 'ceremony_closed', message: /pas de contrat/ });
    expect(turnRefusal(state({ stage: 'signed', signedAt: { createur: 'x', revendeur: 'y', banque: 'z' } }), 'banque', NOW)).toMatchObject({ code: 'already_signed' });
  });

  it('takes a signature only for a preparation made for this party, once, with a certificate still valid at its level', () => {
    const value = 'A'.repeat(96);
    expect(signRefusal(state(), { party: 'revendeur', preparationId: 'p-1', signatureValue: value }, NOW)).toBeNull();
    expect(signRefusal(state(), { party: 'revendeur', preparationId: 'p-2', signatureValue: value }, NOW)).toMatchObject({ code: 'unknown_preparation' });
    expect(signRefusal(state({ used: ['p-1'] }), { party: 'revendeur', preparationId: 'p-1', signatureValue: value }, NOW)).toMatchObject({ code: 'preparation_used' });
    const expired = { 'p-1': { party: 'revendeur' as const, rgsLevel: 1 as const, notAfter: '2026-03-01T00:00:00Z' } };
    expect(signRefusal(state({ preparations: expired }), { party: 'revendeur', preparationId: 'p-1', signatureValue: value }, NOW)).toMatchObject({ code: 'certificate_expired' });
    expect(signRefusal(state({ levels: { createur: 1, revendeur: 2, banque: 3 } }), { party: 'revendeur', preparationId: 'p-1', signatureValue: value }, NOW)).toMatchObject({
      code: 'level_too_low',
    });
    expect(signRefusal(state(), { party: 'revendeur', preparationId: 'p-1', signatureValue: 'pas du base64 !' }, NOW)).toMatchObject({ code: 'signature_invalid' });
  });

  it('lets any party that has not signed decline, with words', () => {
    expect(declineRefusal(state(), { party: 'banque', reason: 'Le fournisseur a changé de matériel' }, NOW)).toBeNull();
    expect(declineRefusal(state(), { party: 'createur', reason: 'Trop tard' }, NOW)).toMatchObject({ code: 'already_signed' });
    expect(declineRefusal(state(), { party: 'revendeur', reason: '   ' }, NOW)).toMatchObject({ code: 'decline_reason_invalid' });
    expect(declineRefusal(state(), { party: 'revendeur', reason: 'x'.repeat(1001) }, NOW)).toMatchObject({ code: 'decline_reason_invalid' });
    expect(declineRefusal(state(), { party: 'revendeur', reason: 'nul \u0000' }, NOW)).toMatchObject({ code: 'decline_reason_invalid', message: /Caractère nul/ });
  });
});
