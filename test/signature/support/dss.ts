import { expect } from 'vitest';
import { PdfRef, openPdf, sameObject, type PdfState, type PdfValue } from '../../../pdf/index.ts';

const refsOf = (state: PdfState, v: PdfValue | undefined): string[] => (state.array(v) ?? []).map((r) => (r instanceof PdfRef ? `${r.num} ${r.gen} R` : 'direct'));

/**
 * The DSS of `after` (a later revision of `before`) kept every array and VRI entry of the
 * earlier DSS as it was, new data beside it: each /Certs /CRLs /OCSPs array and each VRI
 * entry's /Cert /CRL /OCSP array starts with the earlier one, the streams they name are
 * the same objects at the same offsets (their bytes untouched), other VRI keys unchanged.
 */
export function expectDssGrown(before: Uint8Array, after: Uint8Array): void {
  expect(Buffer.from(after.subarray(0, before.length)).equals(Buffer.from(before)), 'earlier revisions byte for byte').toBe(true);
  const a = openPdf(before);
  const b = openPdf(after);
  const oldDss = a.dict(a.catalog().dict.get('DSS'));
  const newDss = b.dict(b.catalog().dict.get('DSS'));
  expect(oldDss, 'earlier DSS').toBeDefined();
  expect(newDss, 'later DSS').toBeDefined();
  const untouched = (refs: string[]): void => {
    for (const r of refs) {
      if (r === 'direct') continue;
      const num = Number(r.split(' ')[0]);
      expect(b.entry(num), `object ${r} not rewritten`).toEqual(a.entry(num));
    }
  };
  for (const kind of ['Certs', 'CRLs', 'OCSPs']) {
    const old = refsOf(a, oldDss!.get(kind));
    const now = refsOf(b, newDss!.get(kind));
    expect(now.slice(0, old.length), `/DSS /${kind}`).toEqual(old);
    untouched(old);
  }
  const oldVri = a.dict(oldDss!.get('VRI'));
  const newVri = b.dict(newDss!.get('VRI'));
  for (const key of oldVri?.keys() ?? []) {
    const oldEntry = a.dict(oldVri!.get(key))!;
    const newEntry = b.dict(newVri?.get(key));
    expect(newEntry, `VRI ${key} kept`).toBeDefined();
    for (const k of oldEntry.keys()) {
      if (k === 'Cert' || k === 'CRL' || k === 'OCSP') {
        const old = refsOf(a, oldEntry.get(k));
        expect(refsOf(b, newEntry!.get(k)).slice(0, old.length), `VRI ${key} /${k}`).toEqual(old);
        untouched(old);
      } else expect(sameObject(oldEntry.get(k), newEntry!.get(k)), `VRI ${key} /${k}`).toBe(true);
    }
  }
}
