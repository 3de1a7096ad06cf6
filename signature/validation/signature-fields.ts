import { PdfDict, PdfRef, PdfString, decodeText, nameOf, type PdfState, type PdfValue } from '../../pdf/index.ts';

/** A filled signature field as found in the document's form. */
export interface FoundSignature {
  fieldName: string;
  type: 'signature' | 'document-timestamp';
  dict: PdfDict;
  /** False when the dictionary sits inside an object stream: its bytes cannot be located then. */
  storedDirectly: boolean;
  subFilter: string | undefined;
  /** DocMDP permission when this signature certifies the document. */
  docMdpP?: number;
}

/** Walks /AcroForm /Fields (and /Kids), bounded, and returns every signature field that has a value. */
export function findSignatures(state: PdfState, maxSignatures: number): FoundSignature[] {
  const root = state.root();
  const acroForm = state.dict(root?.get('AcroForm'));
  const found: FoundSignature[] = [];
  const seen = new Set<number>();
  const walk = (obj: PdfValue | undefined, parentName: string, inheritedFt: string | undefined, depth: number): void => {
    if (depth > 16 || found.length >= maxSignatures || seen.size > 10_000) return;
    if (obj instanceof PdfRef) {
      if (seen.has(obj.num)) return;
      seen.add(obj.num);
    }
    const field = state.dict(obj);
    if (!field) return;
    const t = field.get('T');
    const partial = t instanceof PdfString ? decodeText(t.bytes) : '';
    const name = partial ? (parentName ? `${parentName}.${partial}` : partial) : parentName;
    const ft = nameOf(field.get('FT')) ?? inheritedFt;
    const kids = state.array(field.get('Kids'));
    if (kids) for (const kid of kids) walk(kid, name, ft, depth + 1);
    const v = field.get('V');
    if (ft !== 'Sig' || v === undefined) return;
    const dict = state.dict(v);
    if (!dict) return;
    const storedDirectly = v instanceof PdfRef ? state.entry(v.num)?.kind === 'n' : obj instanceof PdfRef && state.entry(obj.num)?.kind === 'n';
    const subFilter = nameOf(dict.get('SubFilter'));
    const type = nameOf(dict.get('Type')) === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'document-timestamp' : 'signature';
    const entry: FoundSignature = { fieldName: name || '(sans nom)', type, dict, storedDirectly, subFilter };
    const p = docMdpPermission(state, dict);
    if (p !== undefined) entry.docMdpP = p;
    found.push(entry);
  };
  for (const f of state.array(acroForm?.get('Fields')) ?? []) walk(f, '', undefined, 0);
  return found;
}

function docMdpPermission(state: PdfState, sig: PdfDict): number | undefined {
  for (const ref of state.array(sig.get('Reference')) ?? []) {
    const r = state.dict(ref);
    if (nameOf(r?.get('TransformMethod')) !== 'DocMDP') continue;
    const p = state.dict(r?.get('TransformParams'))?.get('P');
    return typeof p === 'number' && [1, 2, 3].includes(p) ? p : 2;
  }
  return undefined;
}

/** Parses a PDF date `D:YYYYMMDDHHmmSS+HH'mm'` into a Date, or undefined. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?/.exec(text.trim());
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offset = sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0)) * 60_000;
  const d = new Date(utc - offset);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
