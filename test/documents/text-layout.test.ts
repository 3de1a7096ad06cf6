import { describe, expect, it } from 'vitest';
import { openDocument } from '../../documents/pdf-document.ts';
import { breakableTokens, wrapText, type Measure } from '../../documents/text-wrap.ts';

const FRENCH = 'Œuvre « déjà » payée : 1 234,56 € — à l’échéance, 60 % où ça ? ÀÂÇÉÈÊËÎÏÔÙÛÜŸ àâçéèêëîïôùûüÿæœ';

describe('measuring and breaking French text', () => {
  it('measures text exactly as pdf-lib does, for both faces', async () => {
    const open = await openDocument({ kind: 'contract', title: 't', subject: 's', author: 'a', keywords: [] }, {}, new Date('2026-03-05T13:05:00Z'));
    for (const size of [5.75, 9, 14]) {
      expect(open.measure(FRENCH, size, 'regular')).toBeCloseTo(open.fonts.regular.widthOfTextAtSize(FRENCH, size), 9);
      expect(open.measure(FRENCH, size, 'bold')).toBeCloseTo(open.fonts.bold.widthOfTextAtSize(FRENCH, size), 9);
    }
  });

  it('keeps amounts, SIRENs, times and French punctuation on one line', () => {
    expect(breakableTokens('Loyer de 1 234,56 € le 5 mars à 14 h 05, SIREN 912 345 675 ; 60 % « garanti » !')).toEqual([
      'Loyer',
      'de',
      '1 234,56 €',
      'le',
      '5',
      'mars',
      'à',
      '14 h 05,',
      'SIREN',
      '912 345 675 ;',
      '60 %',
      '« garanti » !',
    ]);
  });

  it('never makes a line wider than asked, cutting a word only when it is wider than the line', () => {
    const monospace: Measure = { widthOf: (s, size) => [...s].length * size };
    const lines = wrapText('un mot anticonstitutionnellement long et 1 234 567,89 €', monospace, 1, 10);
    expect(lines).toEqual(['un mot', 'anticonsti', 'tutionnell', 'ement long', 'et', '1 234 567,', '89 €']);
    expect(wrapText('', monospace, 1, 10)).toEqual(['']);
    expect(wrapText('a\n\tb', monospace, 1, 10)).toEqual(['a b']);
  });
});
