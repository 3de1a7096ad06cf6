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

/** A field of the form, found by its fully qualified name. */
export interface ExistingField {
  ref: PdfRef;
  dict: PdfDict;
  /** /FT, inherited from a parent field when the field does not say. */
  fieldType: string | undefined;
  signed: boolean;
  /** The widget holding its appearance: the field itself when merged, else its first kid. */
  widgetRef: PdfRef;
  widget: PdfDict;
  rect: [number, number, number, number] | undefined;
}

/** The field named `name` (« parent.child » for a kid), or null. */
export function findField(reader: PdfState, name: string): ExistingField | null {
  const acro = reader.dict(reader.catalog().dict.get('AcroForm'));
  const roots = reader.resolve(acro?.get('Fields'));
  const stack: { value: PdfValue; prefix: string; inheritedType: string | undefined }[] = Array.isArray(roots)
    ? roots.map((value) => ({ value, prefix: '', inheritedType: undefined }))
    : [];
  for (let n = 0; stack.length && n < 10_000; n++) {
    const { value, prefix, inheritedType } = stack.pop()!;
    const dict = reader.dict(value);
    if (!dict || !(value instanceof PdfRef)) continue;
    const t = dict.get('T');
    const full = t instanceof PdfString ? (prefix ? `${prefix}.${decodeText(t.bytes)}` : decodeText(t.bytes)) : prefix;
    const ft = dict.get('FT');
    const fieldType = ft instanceof PdfName ? ft.name : inheritedType;
    const kids = reader.resolve(dict.get('Kids'));
    if (full === name && t instanceof PdfString) {
      const firstKid = Array.isArray(kids) ? kids.find((k): k is PdfRef => k instanceof PdfRef) : undefined;
      const widgetRef = isWidget(dict) || !firstKid ? value : firstKid;
      const widget = reader.dict(widgetRef) ?? dict;
      const rect = reader.resolve(widget.get('Rect'));
      return {
        ref: value,
        dict,
        fieldType,
        signed: dict.get('V') !== undefined,
        widgetRef,
        widget,
        rect: Array.isArray(rect) && rect.length === 4 && rect.every((v) => typeof v === 'number') ? (rect as [number, number, number, number]) : undefined,
      };
    }
    if (Array.isArray(kids)) for (const kid of kids) stack.push({ value: kid, prefix: full, inheritedType: fieldType });
  }
  return null;
}

function isWidget(d: PdfDict): boolean {
  const subtype = d.get('Subtype');
  return subtype instanceof PdfName && subtype.name === 'Widget';
}

/**
 * Puts the signature value into the field that bears `p.fieldName` when the
 * document already has one (the contract's pre-placed fields, which a later
 * signer must fill under a certification), else adds a new field.
 */
export function addSignatureField(reader: PdfState, update: IncrementalUpdate, p: FieldPlacement): { fieldRef: PdfRef; fieldName: string } {
  const existing = p.fieldName ? findField(reader, p.fieldName) : null;
  if (existing) return fillSignatureField(reader, update, existing, p);
  return addNewSignatureField(reader, update, p);
}

function fillSignatureField(reader: PdfState, update: IncrementalUpdate, field: ExistingField, p: FieldPlacement): { fieldRef: PdfRef; fieldName: string } {
  const name = p.fieldName!;
  if (field.fieldType !== 'Sig') throw new SignatureError('SIGN_FIELD_EXISTS', `Le champ « ${name} » n’est pas un champ de signature.`);
  if (field.signed) throw new SignatureError('SIGN_FIELD_EXISTS', `Le champ de signature « ${name} » est déjà signé.`);
  const root = reader.catalog();
  const catalog = root.dict.clone();
  const filled = field.dict.clone();
  filled.set('V', p.valueRef);
  if (p.appearanceRef) {
    if (field.widgetRef === field.ref) filled.set('AP', new PdfDict({ N: p.appearanceRef }));
    else update.set(field.widgetRef, field.widget.clone().set('AP', new PdfDict({ N: p.appearanceRef })));
  }
  update.set(field.ref, filled);
  const acro = slotDict(reader, update, catalog, 'AcroForm');
  acro.value.set('SigFlags', 3);
  acro.commit();
  p.editCatalog?.(catalog);
  update.set(root.ref, catalog);
  return { fieldRef: field.ref, fieldName: name };
}

/** A rectangle the size of `size` on the page, clear of the page's widgets and annotations. */
export function freeRect(reader: PdfState, pageNo: number, size: [number, number]): [number, number, number, number] {
  const pageRef = reader.page(pageNo);
  const page = reader.dict(pageRef);
  const box = reader.resolve(page?.get('MediaBox'));
  const [, , pageWidth, pageHeight] = Array.isArray(box) && box.every((v) => typeof v === 'number') ? (box as number[]) : [0, 0, 595, 842];
  const taken: number[][] = [];
  const annots = reader.resolve(page?.get('Annots'));
  for (const a of Array.isArray(annots) ? annots : []) {
    const r = reader.resolve(reader.dict(a)?.get('Rect'));
    if (Array.isArray(r) && r.length === 4 && r.every((v) => typeof v === 'number')) {
      const [x1, y1, x2, y2] = r as number[];
      if (x1 !== x2 && y1 !== y2) taken.push([Math.min(x1!, x2!), Math.min(y1!, y2!), Math.max(x1!, x2!), Math.max(y1!, y2!)]);
    }
  }
  const [w, h] = size;
  const margin = 36;
  const gap = 10;
  for (let y = margin; y + h <= (pageHeight ?? 842) - margin; y += h + gap) {
    for (let x = margin; x + w <= (pageWidth ?? 595) - margin; x += w + gap) {
      const candidate = [x, y, x + w, y + h];
      if (!taken.some((t) => candidate[0]! < t[2]! && t[0]! < candidate[2]! && candidate[1]! < t[3]! && t[1]! < candidate[3]!)) {
        return candidate as [number, number, number, number];
      }
    }
  }
  throw new SignatureError('SIGN_NO_ROOM', `Plus de place libre de ${w} × ${h} points sur la page ${pageNo} pour une signature visible : indiquez un rectangle (--rect).`);
}

function addNewSignatureField(reader: PdfState, update: IncrementalUpdate, p: FieldPlacement): { fieldRef: PdfRef; fieldName: string } {
  const root = reader.catalog();
  const catalog = root.dict.clone();
  const pageNo = p.page ?? 1;
  const pageRef = reader.page(pageNo);
  if (!pageRef) throw new SignatureError('SIGN_PAGE_NOT_FOUND', `La page ${pageNo} n’existe pas : le document compte ${reader.pages().length} page(s).`);

  const acro = slotDict(reader, update, catalog, 'AcroForm');
  const fields = slotArray(reader, update, acro.value, 'Fields');
  const fieldName = p.fieldName ?? uniqueName(reader, fields.value, p.namePrefix ?? 'Signature');
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
