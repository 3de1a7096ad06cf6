import { PdfDict, PdfRef, PdfStream, changedKeys, dictOf, isPdfError, nameOf, sameObject, type PdfRevisions, type PdfState, type PdfValue, type XrefSection } from '../../pdf/index.ts';

/** What a change in a later revision amounts to. */
export type ChangeCategory =
  | 'structure' // cross-reference streams, object streams, document information, new unreferenced objects
  | 'signature' // new signature fields, widgets and values
  | 'document-timestamp'
  | 'dss'
  | 'form' // form field values
  | 'annotation'
  | 'forbidden';

export interface ObjectChange {
  objectNumber: number;
  category: ChangeCategory;
  /** Plain French, for the report. */
  description: string;
}

export interface UpdateAnalysis {
  /** Index of this update among all cross-reference sections (0 = original document). */
  revisionIndex: number;
  offset: number;
  changes: ObjectChange[];
}

/** A forbidden change after a signature, as the report lists it. */
export interface Modification {
  revisionIndex: number;
  objects: number[];
  description: string;
}

const CATALOG_KEYS: Record<string, ChangeCategory> = { AcroForm: 'signature', DSS: 'dss', Extensions: 'dss', Metadata: 'structure' };
const ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);

/**
 * Classifies every object a revision adds, replaces or frees, comparing it
 * with the state before that revision.
 */
export function analyzeUpdate(doc: PdfRevisions, section: XrefSection, revisionIndex: number): UpdateAnalysis {
  const before = doc.stateAt(section.offset);
  const after = doc.stateAt(section.offset + 1);
  const ctx = new Context(before, after);
  const changes: ObjectChange[] = [];
  for (const [num, entry] of section.entries) {
    doc.budget.check();
    const oldEntry = before.entry(num);
    const existed = oldEntry !== undefined && oldEntry.kind !== 'f';
    if (entry.kind === 'f') {
      if (existed) changes.push({ objectNumber: num, category: 'forbidden', description: `objet ${num} supprimé` });
      continue;
    }
    let change: ObjectChange | undefined;
    try {
      change = existed ? ctx.classifyModified(num) : ctx.classifyNew(num);
    } catch (error) {
      if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
      change = { objectNumber: num, category: 'forbidden', description: `objet ${num} illisible` };
    }
    if (change) changes.push(change);
  }
  return { revisionIndex, offset: section.offset, changes };
}

/** Which categories a signature tolerates after it, given the DocMDP permission in force. */
export function isAllowed(category: ChangeCategory, docMdpP: number | undefined, isTimestamp: boolean): boolean {
  switch (category) {
    case 'structure':
    case 'dss':
    case 'document-timestamp':
      return true;
    case 'signature':
      return docMdpP !== 1 || isTimestamp;
    case 'form':
      return docMdpP === 2 || docMdpP === 3;
    case 'annotation':
      return docMdpP === 3;
    default:
      return false;
  }
}

class Context {
  private dssObjects: Set<number> | undefined;

  constructor(
    private readonly before: PdfState,
    private readonly after: PdfState,
  ) {}

  classifyNew(num: number): ObjectChange | undefined {
    const obj = this.after.load(num);
    if (obj === undefined) return { objectNumber: num, category: 'forbidden', description: `objet ${num} illisible` };
    const dict = dictOf(obj);
    const type = nameOf(dict?.get('Type'));
    if (type === 'Sig') return { objectNumber: num, category: 'signature', description: 'nouvelle signature' };
    if (type === 'DocTimeStamp') return { objectNumber: num, category: 'document-timestamp', description: 'nouvel horodatage du document' };
    if (this.isDss(num)) return { objectNumber: num, category: 'dss', description: 'données de validation' };
    // Any other new object only matters through the existing objects that point to it, checked below.
    return { objectNumber: num, category: 'structure', description: 'nouvel objet' };
  }

  classifyModified(num: number): ObjectChange | undefined {
    const oldObj = this.before.load(num);
    const newObj = this.after.load(num);
    if (newObj === undefined) return { objectNumber: num, category: 'forbidden', description: `objet ${num} illisible` };
    if (sameValue(oldObj, newObj)) return undefined;
    const forbidden = (what: string): ObjectChange => ({ objectNumber: num, category: 'forbidden', description: what });
    const structure: ObjectChange = { objectNumber: num, category: 'structure', description: 'structure du fichier' };

    if (newObj instanceof PdfStream && ['XRef', 'ObjStm'].includes(nameOf(newObj.dict.get('Type')) ?? '')) return structure;
    if (refNum(this.after.trailer.get('Info')) === num || refNum(this.before.trailer.get('Info')) === num) {
      return { objectNumber: num, category: 'structure', description: 'informations du document' };
    }
    if (this.isDss(num)) return { objectNumber: num, category: 'dss', description: 'données de validation' };
    // XMP metadata (dates, producer) is routinely refreshed by signing tools; it changes nothing shown.
    if (nameOf(dictOf(newObj)?.get('Type')) === 'Metadata' && refNum(this.before.root()?.get('Metadata')) === num) {
      return { objectNumber: num, category: 'structure', description: 'métadonnées du document' };
    }

    const oldDict = dictOf(oldObj);
    const newDict = dictOf(newObj);
    if (refNum(this.after.trailer.get('Root')) === num) {
      if (!oldDict || !newDict) return forbidden('catalogue du document remplacé');
      let category: ChangeCategory = 'structure';
      for (const key of changedKeys(oldDict, newDict)) {
        const c = CATALOG_KEYS[key];
        if (!c) return forbidden(`catalogue du document modifié (/${key})`);
        if (c === 'signature' && !this.acroFormChangeAllowed(oldDict.get('AcroForm'), newDict.get('AcroForm'))) {
          return forbidden('formulaire du document modifié');
        }
        if (category === 'structure' || c === 'signature') category = c;
      }
      return { objectNumber: num, category, description: 'catalogue : formulaire ou données de validation' };
    }
    if (refNum(this.after.root()?.get('AcroForm')) === num) {
      return this.acroFormChangeAllowed(oldDict, newDict)
        ? { objectNumber: num, category: 'signature', description: 'liste des champs du formulaire' }
        : forbidden('formulaire du document modifié');
    }
    if (Array.isArray(oldObj) && Array.isArray(newObj)) {
      const added = addedItems(oldObj, newObj);
      if (!added) return forbidden(`liste ${num} modifiée (éléments retirés ou remplacés)`);
      return this.classifyAdded(num, added);
    }
    if (!oldDict || !newDict) return forbidden(`objet ${num} modifié`);
    const keys = changedKeys(oldDict, newDict);
    const type = nameOf(newDict.get('Type'));
    if (type === 'Page') {
      if (keys.some((k) => k !== 'Annots')) return forbidden(`page modifiée (/${keys.find((k) => k !== 'Annots')})`);
      const oldAnnots = this.before.array(oldDict.get('Annots')) ?? [];
      const newAnnots = this.after.array(newDict.get('Annots')) ?? [];
      const added = addedItems(oldAnnots, newAnnots);
      if (!added) return forbidden('annotations de la page retirées ou remplacées');
      return this.classifyAdded(num, added);
    }
    const fieldType = this.fieldType(newDict);
    if (fieldType === 'Sig') {
      if (keys.every((k) => ['V', 'AP', 'MK', 'F', 'DA', 'P'].includes(k)) && (oldDict.get('V') === undefined || !keys.includes('V'))) {
        const value = this.after.dict(newDict.get('V'));
        const category = nameOf(value?.get('Type')) === 'DocTimeStamp' ? 'document-timestamp' : 'signature';
        return { objectNumber: num, category, description: 'champ de signature rempli' };
      }
      return forbidden('champ de signature existant modifié');
    }
    if (fieldType !== undefined) {
      if (keys.every((k) => ['V', 'AP', 'AS', 'MK'].includes(k))) return { objectNumber: num, category: 'form', description: 'champ de formulaire rempli' };
      return forbidden('champ de formulaire modifié');
    }
    if (nameOf(newDict.get('Subtype')) === 'Widget' && this.fieldType(newDict) === 'Sig' && keys.every((k) => ['AP', 'F', 'MK', 'AS'].includes(k))) {
      return { objectNumber: num, category: 'signature', description: 'apparence de signature' };
    }
    if (newDict.get('Subtype') !== undefined && nameOf(newDict.get('Subtype')) !== 'Widget' && newDict.get('Rect') !== undefined) {
      return { objectNumber: num, category: 'annotation', description: 'annotation modifiée' };
    }
    return forbidden(`objet ${num} modifié${type ? ` (/${type})` : ''}`);
  }

  private acroFormChangeAllowed(oldObj: PdfValue | undefined, newObj: PdfValue | undefined): boolean {
    if (sameObject(oldObj, newObj)) return true;
    const oldDict = this.before.dict(oldObj);
    const newDict = this.after.dict(newObj);
    if (!newDict) return false;
    if (!oldDict) return true; // a form created to hold the first signature field
    for (const key of changedKeys(oldDict, newDict)) {
      if (!ACROFORM_KEYS.has(key)) return false;
    }
    const oldFields = this.before.array(oldDict.get('Fields')) ?? [];
    const newFields = this.after.array(newDict.get('Fields')) ?? [];
    const added = addedItems(oldFields, newFields);
    return added !== undefined && added.every((f) => this.fieldType(this.after.dict(f)) !== undefined || this.after.dict(f)?.get('Kids') !== undefined);
  }

  private classifyAdded(num: number, added: PdfValue[]): ObjectChange {
    let category: ChangeCategory = 'signature';
    for (const item of added) {
      const d = this.after.dict(item);
      if (!d) return { objectNumber: num, category: 'forbidden', description: `élément ajouté illisible dans l'objet ${num}` };
      const ft = this.fieldType(d);
      if (ft === 'Sig') continue;
      if (ft !== undefined) {
        if (category === 'signature') category = 'form';
        continue;
      }
      if (d.get('Subtype') !== undefined) category = 'annotation';
      else return { objectNumber: num, category: 'forbidden', description: `objet ${num} modifié` };
    }
    const description = category === 'signature' ? 'ajout de champs de signature' : category === 'form' ? 'ajout de champs de formulaire' : 'ajout d’annotations';
    return { objectNumber: num, category, description };
  }

  /** The field type, inherited through /Parent, of a field or a widget merged with its field. */
  private fieldType(d: PdfDict | undefined): string | undefined {
    let cur = d;
    for (let i = 0; cur && i < 16; i++) {
      const ft = nameOf(cur.get('FT'));
      if (ft) return ft;
      cur = this.after.dict(cur.get('Parent'));
    }
    return undefined;
  }

  private isDss(num: number): boolean {
    if (!this.dssObjects) {
      this.dssObjects = new Set();
      for (const state of [this.before, this.after]) collectRefs(state, state.root()?.get('DSS'), this.dssObjects);
    }
    return this.dssObjects.has(num);
  }
}

function collectRefs(state: PdfState, obj: PdfValue | undefined, out: Set<number>, depth = 0): void {
  if (depth > 6 || out.size > 20_000 || obj === undefined) return;
  if (obj instanceof PdfRef) {
    if (out.has(obj.num)) return;
    out.add(obj.num);
    collectRefs(state, state.load(obj.num), out, depth + 1);
    return;
  }
  if (Array.isArray(obj)) for (const item of obj) collectRefs(state, item, out, depth + 1);
  else {
    const d = dictOf(obj);
    if (d) for (const k of d.keys()) collectRefs(state, d.get(k), out, depth + 1);
  }
}

function refNum(o: PdfValue | undefined): number | undefined {
  return o instanceof PdfRef ? o.num : undefined;
}

/** Items of `after` beyond those of `before`, or undefined when an item of `before` is gone. */
function addedItems(before: PdfValue[], after: PdfValue[]): PdfValue[] | undefined {
  const remaining = [...after];
  for (const item of before) {
    const i = remaining.findIndex((x) => sameObject(x, item));
    if (i < 0) return undefined;
    remaining.splice(i, 1);
  }
  return remaining;
}

function sameValue(a: PdfValue | undefined, b: PdfValue | undefined): boolean {
  if (a instanceof PdfStream && b instanceof PdfStream) return sameObject(a.dict, b.dict) && Buffer.compare(a.data, b.data) === 0;
  return sameObject(a, b);
}
