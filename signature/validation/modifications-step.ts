import type { PdfRevisions } from '../../pdf/index.ts';
import { analyzeUpdate, isAllowed, type Modification, type UpdateAnalysis } from './modifications.ts';
import type { Work } from './verification-work.ts';

/** Each appended revision's analysis, made once however many signatures it follows. */
export function updateAnalyses(doc: PdfRevisions): (i: number) => UpdateAnalysis {
  const updates = new Map<number, UpdateAnalysis>();
  return (i: number): UpdateAnalysis => {
    let a = updates.get(i);
    if (!a) {
      a = analyzeUpdate(doc, doc.sections[i]!, i);
      updates.set(i, a);
    }
    return a;
  };
}

/** Step 2: forbidden changes in the revisions appended after this signature, under its own DocMDP permission (pyHanko's reading). */
export function modificationsAfter(doc: PdfRevisions, w: Work, analysis: (i: number) => UpdateAnalysis): Modification[] {
  const out: Modification[] = [];
  doc.sections.forEach((s, i) => {
    if (s.offset < w.signedEnd) return;
    const a = analysis(i);
    const forbidden = a.changes.filter((c) => !isAllowed(c.category, w.found.docMdpP));
    if (forbidden.length > 0) {
      out.push({ revisionIndex: i, objects: forbidden.map((c) => c.objectNumber), description: [...new Set(forbidden.map((c) => c.description))].join(', ') });
    }
  });
  return out;
}
