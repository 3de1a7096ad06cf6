import { describe, expect, it } from 'vitest';
import { deadlineDefaultDecision, durationLabel } from '../../domain/deadline-default.ts';

const granted = { status: 'granted', reference: 'SOF-2026-000001', mode: 'delegated', quotityPercent: 50, feeBasisPoints: 90, guaranteedAmountCents: 500_000 } as const;
const refused = { status: 'refused', reason: 'Encours garanti au-delà du plafond.' } as const;

describe('the deadline default', () => {
  it('approves by silence only with a granted guarantee', () => {
    expect(deadlineDefaultDecision('approve', granted, 86_400)).toEqual({
      outcome: 'approved',
      decidedBy: 'deadline',
      text: 'analyse non réalisée dans le délai de 24 heures',
      guaranteeReference: 'SOF-2026-000001',
    });
  });

  it('declines, with the reason, when the protocol approves but the guarantee was refused or never came', () => {
    const declined = deadlineDefaultDecision('approve', refused, 86_400);
    expect(declined).toMatchObject({ outcome: 'declined', decidedBy: 'deadline', reasonCode: 'guarantee' });
    expect(declined.text).toBe(
      'analyse non réalisée dans le délai de 24 heures ; l’accord par défaut exige une garantie SOFARIS accordée, or elle a été refusée (Encours garanti au-delà du plafond)',
    );
    expect(deadlineDefaultDecision('approve', null, 60)).toMatchObject({ outcome: 'declined', reasonCode: 'guarantee' });
  });

  it('declines when the protocol says so, whatever the guarantee', () => {
    expect(deadlineDefaultDecision('decline', granted, 3)).toEqual({
      outcome: 'declined',
      decidedBy: 'deadline',
      reasonCode: 'deadline_expired',
      text: 'analyse non réalisée dans le délai de 3 secondes',
    });
  });

  it('names the real deadline', () => {
    expect(durationLabel(86_400)).toBe('24 heures');
    expect(durationLabel(172_800)).toBe('48 heures');
    expect(durationLabel(5_400)).toBe('1 heure 30 minutes');
    expect(durationLabel(61)).toBe('1 minute 1 seconde');
    expect(durationLabel(1)).toBe('1 seconde');
  });
});
