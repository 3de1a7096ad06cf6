/**
 * What the protocol decides when the bank's analyst has not answered by the
 * deadline. An accord by silence commits the bank only with the SOFARIS
 * guarantee behind it: without a granted guarantee the default is a refusal,
 * whatever the protocol says, and the text names the reason and the real
 * deadline (a test deadline of 3 seconds is not « 24 heures »).
 */
import type { FinalDecision, GuaranteeResult } from './outcomes.ts';

export function deadlineDefaultDecision(timeoutDefault: 'approve' | 'decline', guarantee: GuaranteeResult | null, decisionSeconds: number): Omit<FinalDecision, 'decidedAt'> {
  const missed = `analyse non réalisée dans le délai de ${durationLabel(decisionSeconds)}`;
  if (timeoutDefault === 'decline') {
    return { outcome: 'declined', decidedBy: 'deadline', reasonCode: 'deadline_expired', text: missed };
  }
  if (guarantee?.status === 'granted') {
    return { outcome: 'approved', decidedBy: 'deadline', text: missed, guaranteeReference: guarantee.reference };
  }
  const why = guarantee?.status === 'refused' && guarantee.reason ? ` (${guarantee.reason.replace(/\.$/, '')})` : '';
  return {
    outcome: 'declined',
    decidedBy: 'deadline',
    reasonCode: 'guarantee',
    text: `${missed} ; l’accord par défaut exige une garantie SOFARIS accordée, or elle a été refusée${why}`,
  };
}

/** 86400 → « 24 heures », 5400 → « 1 heure 30 minutes », 3 → « 3 secondes ». */
export function durationLabel(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const parts: [number, string][] = [
    [Math.floor(seconds / 3600), 'heure'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'seconde'],
  ];
  const shown = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}${n > 1 ? 's' : ''}`);
  return shown.length > 0 ? shown.join(' ') : '0 seconde';
}
