import { PdfRef, PdfStream, dictOf, isPdfError, type PdfState, type PdfValue } from '../../pdf/index.ts';

/** Where a reference to an object sits: in object `from` (or the trailer), under `path` (dictionary keys; array items as '*'). */
export interface Referrer {
  from: number | 'trailer';
  path: string[];
}

const MAX_INDEXED_OBJECTS = 200_000;

/**
 * Every reference of one revision, indexed by the object referred to. Difference analysis
 * asks it whether an object an update replaces is used anywhere else than where the update
 * claims it is (pyHanko's "used in multiple contexts"): an appearance stream or an
 * /Extensions dictionary shared with another part of the document cannot be rewritten
 * without changing that part too. Built on first use only: most updates never need it.
 */
export class ReferenceIndex {
  private index: Map<number, Referrer[]> | undefined;

  constructor(private readonly state: PdfState) {}

  referrers(num: number): Referrer[] {
    return this.build().get(num) ?? [];
  }

  /**
   * Whether every path from the trailer to `num` goes through an edge `allowed` accepts,
   * following the objects that refer to it back up (owner objects are judged the same way).
   */
  onlyReachedThrough(num: number, allowed: (r: Referrer) => boolean, depth = 0, seen = new Set<number>()): boolean {
    if (depth > 8 || seen.has(num)) return depth > 8 ? false : true;
    seen.add(num);
    const refs = this.referrers(num);
    if (refs.length === 0) return false;
    return refs.every((r) => allowed(r) || (r.from !== 'trailer' && this.onlyReachedThrough(r.from, allowed, depth + 1, seen)));
  }

  private build(): Map<number, Referrer[]> {
    if (this.index) return this.index;
    const index = new Map<number, Referrer[]>();
    const add = (target: number, from: number | 'trailer', path: string[]): void => {
      const list = index.get(target);
      if (list) list.push({ from, path });
      else index.set(target, [{ from, path }]);
    };
    walk(this.state.trailer, 'trailer', [], add, 0);
    const nums = this.state.objectNumbers();
    if (nums.length > MAX_INDEXED_OBJECTS) throw new RangeError('trop d’objets pour analyser les références');
    for (const num of nums) {
      let obj: PdfValue | undefined;
      try {
        obj = this.state.load(num);
      } catch (error) {
        if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
        continue; // an unreadable object refers to nothing a reader could follow
      }
      walk(obj instanceof PdfStream ? obj.dict : obj, num, [], add, 0);
    }
    this.index = index;
    return index;
  }
}

function walk(value: PdfValue | undefined, from: number | 'trailer', path: string[], add: (t: number, f: number | 'trailer', p: string[]) => void, depth: number): void {
  if (value === undefined || depth > 32) return;
  if (value instanceof PdfRef) {
    add(value.num, from, path);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, from, [...path, '*'], add, depth + 1);
    return;
  }
  const d = dictOf(value);
  if (d) for (const k of d.keys()) walk(d.get(k), from, [...path, k], add, depth + 1);
}
