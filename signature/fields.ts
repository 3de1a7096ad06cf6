import { PdfDict, PdfName, PdfRef, PdfString, decodeText, type IncrementalUpdate, type PdfState, type PdfValue } from '../pdf/index.ts';
import { SignatureError } from './errors.ts';

export interface FieldPlacement {
  /** The signature (or document timestamp) dictionary the field's value points to. */
  valueRef: PdfRef;
  fieldName?: string;
  /** Prefix of the generated field name (Signature1, Signature2…). */
  namePrefix?: string;
  /** 1-based page number; the first page by default. */
  page?: number;
  /** [x1, y1, x2, y2] in page units; [0 0 0 0] when invisible. */
  rect?: [number, number, number, number];
  appearanceRef?: PdfRef;
  /** Further changes to the catalog, written in the same update. */
  editCatalog?: (catalog: PdfDict) => void;
}

/**
 * Something reachable either inline in a parent dictionary or as its own object;
 * commit() writes the edited copy back where it came from.
 */
class Slot<T extends PdfValue> {
  constructor(
    readonly value: T,
    private readonly update: IncrementalUpdate,
    private readonly ref: PdfRef | undefined,
    private readonly parent: PdfDict,
    private readonly key: string,
  ) {}

  commit(): void {
    if (this.ref) this.update.set(this.ref, this.value);
    else this.parent.set(this.key, this.value);
  }
}

/**
 * Adds a signature field (merged with its widget annotation) to /AcroForm and the
 * page's /Annots, and records every changed object in the update.
 */
export function addSignatureField(reader: PdfState, update: IncrementalUpdate, p: FieldPlacement): { fieldRef: PdfRef; fieldName: string } {
  const root = reader.catalog();
  const catalog = root.dict.clone();
  const pageNo = p.page ?? 1;
  const pageRef = reader.page(pageNo);
  if (!pageRef) throw new SignatureError('SIGN_PAGE_NOT_FOUND', `La page ${pageNo} n’existe pas : le document compte ${reader.pages().length} page(s).`);

  const acro = slotDict(reader, update, catalog, 'AcroForm');
  const fields = slotArray(reader, update, acro.value, 'Fields');
  const fieldName = p.fieldName ?? uniqueName(reader, fields.value, p.namePrefix ?? 'Signature');
  if (p.fieldName && existingNames(reader, fields.value).has(p.fieldName)) {
    throw new SignatureError('SIGN_FIELD_EXISTS', `Un champ nommé « ${p.fieldName} » existe déjà dans le document.`);
  }
  const field = new PdfDict({
    FT: new PdfName('Sig'),
    T: PdfString.text(fieldName),
    V: p.valueRef,
    Type: new PdfName('Annot'),
    Subtype: new PdfName('Widget'),
    F: 132,
    Rect: p.rect ?? [0, 0, 0, 0],
    P: pageRef,
  });
  if (p.appearanceRef) field.set('AP', new PdfDict({ N: p.appearanceRef }));
  const fieldRef = update.add(field);
  fields.value.push(fieldRef);
  fields.commit();
  acro.value.set('SigFlags', 3);
  acro.commit();

  const page = reader.dict(pageRef)!.clone();
  const annots = slotArray(reader, update, page, 'Annots');
  annots.value.push(fieldRef);
  annots.commit();
  update.set(pageRef, page);
  p.editCatalog?.(catalog);
  update.set(root.ref, catalog);
  return { fieldRef, fieldName };
}

/** A dictionary entry of `parent`, inline or indirect, created when absent. */
export function slotDict(reader: PdfState, update: IncrementalUpdate, parent: PdfDict, key: string): Slot<PdfDict> {
  const raw = parent.get(key);
  if (raw instanceof PdfRef) return new Slot(reader.dict(raw)?.clone() ?? new PdfDict(), update, raw, parent, key);
  return new Slot(raw instanceof PdfDict ? raw.clone() : new PdfDict(), update, undefined, parent, key);
}

function slotArray(reader: PdfState, update: IncrementalUpdate, parent: PdfDict, key: string): Slot<PdfValue[]> {
  const raw = parent.get(key);
  if (raw instanceof PdfRef) {
    const r = reader.resolve(raw);
    return new Slot(Array.isArray(r) ? [...r] : [], update, raw, parent, key);
  }
  return new Slot(Array.isArray(raw) ? [...raw] : [], update, undefined, parent, key);
}

function existingNames(reader: PdfState, fields: PdfValue[]): Set<string> {
  const names = new Set<string>();
  for (const f of fields) {
    const t = reader.dict(f)?.get('T');
    if (t instanceof PdfString) names.add(decodeText(t.bytes));
  }
  return names;
}

function uniqueName(reader: PdfState, fields: PdfValue[], prefix: string): string {
  const names = existingNames(reader, fields);
  for (let i = 1; ; i++) if (!names.has(`${prefix}${i}`)) return `${prefix}${i}`;
}
