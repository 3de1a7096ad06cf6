import {
  PdfDict,
  PdfRef,
  PdfStream,
  changedKeys,
  dictOf,
  isPdfError,
  nameOf,
  sameObject,
  type PdfRevisions,
  type PdfState,
  type PdfValue,
  type XrefSection,
} from '../../pdf/index.ts';
import { ReferenceIndex, type Referrer } from './references.ts';

/** What a change in a later revision amounts to. */
export type ChangeCategory =
  | 'structure' // cross-reference streams, object streams, document information, new unreferenced objects
  | 'signature' // signature values, a pre-existing empty signature field filled
  | 'new-visible-signature-field' // a signature field with a visible widget that did not exist
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

// /Version and /Extensions: a later writer declaring the PDF version or developer extensions it used (pyHanko and DSS allow it).
const CATALOG_KEYS: Record<string, ChangeCategory> = { AcroForm: 'signature', DSS: 'dss', Extensions: 'dss', Metadata: 'structure', Version: 'structure' };
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

/**
 * Which categories a signature tolerates after it, given its own DocMDP permission
 * (undefined for an approval signature or a document timestamp). As pyHanko: a
 * certification binds its own signature, not the approval signatures that follow it.
 */
export function isAllowed(category: ChangeCategory, docMdpP: number | undefined): boolean {
  switch (category) {
    case 'structure':
    case 'dss':
    case 'document-timestamp':
      return true;
    case 'signature':
    case 'form':
      return docMdpP !== 1;
    case 'new-visible-signature-field':
      // After a certification, later signers sign the fields it prepared or sign invisibly:
      // a new visible signature field changes what the certified document shows.
      return docMdpP === undefined;
    case 'annotation':
      // pyHanko's default policy explains no new annotation at all; P=3 allows them by its definition.
      return docMdpP === 3;
    default:
      return false;
  }
}

class Context {
  private dssObjects: Set<number> | undefined;
  private beforeRefs: ReferenceIndex | undefined;
  private afterRefs: ReferenceIndex | undefined;

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
        let own: ChangeCategory | undefined = c;
        if (c === 'signature') {
          own = this.acroFormChange(oldDict.get('AcroForm'), newDict.get('AcroForm'));
          if (!own) return forbidden('formulaire du document modifié');
        }
        category = stricter(category, own);
      }
      return { objectNumber: num, category, description: 'catalogue : formulaire ou données de validation' };
    }
    if (refNum(this.after.root()?.get('AcroForm')) === num) {
      const category = this.acroFormChange(oldDict, newDict);
      return category ? { objectNumber: num, category, description: 'liste des champs du formulaire' } : forbidden('formulaire du document modifié');
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
    if (fieldType !== undefined && keys.includes('AP') && !this.appearanceReplaceable(num, oldDict.get('AP'))) {
      return forbidden('apparence partagée avec une autre partie du document remplacée');
    }
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
    const owner = this.appearanceOwner(num);
    if (owner !== undefined) {
      const category = this.fieldType(this.after.dict(new PdfRef(owner, 0))) === 'Sig' ? 'signature' : 'form';
      return { objectNumber: num, category, description: 'apparence d’un champ rempli' };
    }
    if (this.ownedByExtensions(num)) return { objectNumber: num, category: 'structure', description: 'extensions déclarées par le catalogue' };
    return forbidden(`objet ${num} modifié${type ? ` (/${type})` : ''}`);
  }

  /** What a change of the form dictionary amounts to, or undefined when it is forbidden. */
  private acroFormChange(oldObj: PdfValue | undefined, newObj: PdfValue | undefined): ChangeCategory | undefined {
    if (sameObject(oldObj, newObj)) return 'signature';
    const oldDict = this.before.dict(oldObj);
    const newDict = this.after.dict(newObj);
    if (!newDict) return undefined;
    for (const key of oldDict ? changedKeys(oldDict, newDict) : []) {
      if (!ACROFORM_KEYS.has(key)) return undefined;
    }
    const oldFields = oldDict ? (this.before.array(oldDict.get('Fields')) ?? []) : [];
    const newFields = this.after.array(newDict.get('Fields')) ?? [];
    const added = addedItems(oldFields, newFields);
    // As pyHanko: only signature fields may be created after a signature.
    if (added === undefined || !added.every((f) => this.fieldType(this.after.dict(f)) === 'Sig')) return undefined;
    let category: ChangeCategory = 'signature';
    for (const f of added) category = stricter(category, this.newFieldCategory(this.after.dict(f)));
    return category;
  }

  private isDocTimestampField(d: PdfDict | undefined): boolean {
    return nameOf(this.after.dict(d?.get('V'))?.get('Type')) === 'DocTimeStamp';
  }

  /** A new signature field: visible when it or one of its widgets has a /Rect of non-zero area (pyHanko's test). */
  private newFieldCategory(field: PdfDict | undefined): ChangeCategory {
    if (this.isDocTimestampField(field)) return 'document-timestamp';
    const widgets = [field, ...(this.after.array(field?.get('Kids')) ?? []).map((k) => this.after.dict(k))];
    return widgets.some((w) => this.hasArea(w)) ? 'new-visible-signature-field' : 'signature';
  }

  private hasArea(annot: PdfDict | undefined): boolean {
    const rect = this.after.array(annot?.get('Rect'));
    if (!rect || rect.length !== 4 || !rect.every((n) => typeof n === 'number')) return false;
    const [x1, y1, x2, y2] = rect as number[];
    return Math.abs(x1! - x2!) * Math.abs(y1! - y2!) > 0;
  }

  /**
   * When a widget's /AP is replaced, the appearance objects it pointed to must belong to
   * that widget alone: one shared with another part of the document (pyHanko's sneaky
   * files hang it under the catalog or the trailer) would change that part too.
   */
  private appearanceReplaceable(widget: number, oldAp: PdfValue | undefined): boolean {
    const owned: number[] = [];
    const collect = (v: PdfValue | undefined, depth: number): void => {
      if (v instanceof PdfRef) owned.push(v.num);
      if (depth >= 2) return;
      const d = this.before.dict(v);
      if (d && !(this.before.resolve(v) instanceof PdfStream)) for (const k of d.keys()) collect(d.get(k), depth + 1);
    };
    collect(oldAp, 0);
    return owned.every((n) => this.appearanceOwner(n) === widget);
  }

  /** The widget whose /AP alone leads to object `num` in the previous revision, if there is exactly one. */
  private appearanceOwner(num: number): number | undefined {
    const refs = (this.beforeRefs ??= new ReferenceIndex(this.before));
    let owner: number | undefined;
    const isAppearanceOf = (r: Referrer): boolean => {
      if (r.from === 'trailer' || r.path[0] !== 'AP') return false;
      const holder = this.before.dict(new PdfRef(r.from, 0));
      if (nameOf(holder?.get('Subtype')) !== 'Widget' && holder?.get('FT') === undefined) return false;
      if (owner !== undefined && owner !== r.from) return false;
      owner = r.from;
      return true;
    };
    return refs.onlyReachedThrough(num, isAppearanceOf) ? owner : undefined;
  }

  /** Whether object `num` is only reached through the catalog's /Extensions in the previous revision. */
  private ownedByExtensions(num: number): boolean {
    const root = refNum(this.before.trailer.get('Root'));
    const refs = (this.beforeRefs ??= new ReferenceIndex(this.before));
    return root !== undefined && refs.onlyReachedThrough(num, (r) => r.from === root && r.path[0] === 'Extensions');
  }

  /** A widget without /Parent that a signature field lists in its /Kids (pyHanko writes such files). */
  private isSignatureKid(item: PdfValue): boolean {
    if (!(item instanceof PdfRef)) return false;
    const refs = (this.afterRefs ??= new ReferenceIndex(this.after));
    const holders = (num: number, depth: number): number[] =>
      depth > 2
        ? []
        : refs
            .referrers(num)
            .flatMap((r) => (r.from === 'trailer' ? [] : r.path[0] === 'Kids' ? [r.from] : r.path.length === 1 && r.path[0] === '*' ? holders(r.from, depth + 1) : []));
    return holders(item.num, 0).some((f) => this.fieldType(this.after.dict(new PdfRef(f, 0))) === 'Sig');
  }

  private classifyAdded(num: number, added: PdfValue[]): ObjectChange {
    let category: ChangeCategory = 'document-timestamp';
    const atLeast = (c: ChangeCategory): void => {
      category = stricter(category, c);
    };
    for (const item of added) {
      const d = this.after.dict(item);
      if (!d) return { objectNumber: num, category: 'forbidden', description: `élément ajouté illisible dans l'objet ${num}` };
      const ft = this.fieldType(d);
      if (ft === 'Sig' || (ft === undefined && nameOf(d.get('Subtype')) === 'Widget' && this.isSignatureKid(item))) {
        atLeast(this.isDocTimestampField(d) ? 'document-timestamp' : this.hasArea(d) ? 'new-visible-signature-field' : 'signature');
        continue;
      }
      if (ft !== undefined) return { objectNumber: num, category: 'forbidden', description: 'ajout de champs de formulaire autres que de signature' };
      if (d.get('Subtype') !== undefined) atLeast('annotation');
      else return { objectNumber: num, category: 'forbidden', description: `objet ${num} modifié` };
    }
    const kind = category as ChangeCategory;
    const description = kind === 'new-visible-signature-field' || kind === 'signature' || kind === 'document-timestamp' ? 'ajout de champs de signature' : 'ajout d’annotations';
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

/**
 * From the most to the least tolerated kind of change, as `isAllowed` reads them. A new visible
 * signature field (allowed after an approval signature only) and an annotation (under P=3
 * only) are never allowed together: one object doing both is forbidden.
 */
const STRICTNESS: ChangeCategory[] = ['structure', 'dss', 'document-timestamp', 'signature', 'form', 'new-visible-signature-field', 'annotation', 'forbidden'];

function stricter(a: ChangeCategory, b: ChangeCategory): ChangeCategory {
  const pair = new Set([a, b]);
  if (pair.has('new-visible-signature-field') && pair.has('annotation')) return 'forbidden';
  return STRICTNESS.indexOf(a) >= STRICTNESS.indexOf(b) ? a : b;
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
