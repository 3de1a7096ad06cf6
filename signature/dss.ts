import { createHash } from 'node:crypto';
import { IncrementalUpdate, PdfDict, PdfName, PdfRef, PdfStream, isPdfError, openPdf, type PdfState, type PdfValue } from '../pdf/index.ts';
import { slotDict } from './fields.ts';
import type { ValidationData } from './validation-data.ts';

type Kind = 'Certs' | 'CRLs' | 'OCSPs';

/**
 * Appends (or merges into) the Document Security Store: one stream per
 * certificate, CRL and OCSP response, and a VRI entry per signature.
 */
export function appendDss(pdf: Uint8Array, data: ValidationData): Buffer {
  const reader = openPdf(pdf);
  const update = new IncrementalUpdate(reader);
  const root = reader.catalog();
  const catalog = root.dict.clone();
  const existing = catalog.get('DSS');
  const dss = slotDict(reader, update, catalog, 'DSS');
  dss.value.set('Type', new PdfName('DSS'));

  const refs = new Map<string, PdfRef>();
  const lists: Record<Kind, PdfRef[]> = { Certs: [], CRLs: [], OCSPs: [] };
  for (const kind of ['Certs', 'CRLs', 'OCSPs'] as const) {
    const arr = reader.resolve(dss.value.get(kind));
    for (const r of Array.isArray(arr) ? arr : []) {
      if (!(r instanceof PdfRef)) continue;
      const s = reader.resolve(r);
      if (s instanceof PdfStream) refs.set(kind + digest(decodeOrRaw(reader, s)), r);
      lists[kind].push(r);
    }
  }
  const refFor = (kind: Kind, der: Uint8Array): PdfRef => {
    const k = kind + digest(der);
    let r = refs.get(k);
    if (!r) {
      r = update.add(new PdfStream(new PdfDict(), der));
      refs.set(k, r);
      lists[kind].push(r);
    }
    return r;
  };
  for (const c of data.certs) refFor('Certs', c);
  for (const c of data.crls) refFor('CRLs', c);
  for (const o of data.ocsps) refFor('OCSPs', o);

  const vri = vriSlot(reader, update, dss.value);
  for (const e of data.entries) {
    const vriKey = createHash('sha1').update(e.cms).digest('hex').toUpperCase();
    const held = vri.get(vriKey);
    const old = reader.dict(held);
    // An existing entry keeps what it holds (pyHanko's difference analysis refuses a rewritten one): new data goes beside it.
    const entry = old ? old.clone() : new PdfDict();
    let grown = !old;
    for (const [name, kind, ders] of [
      ['Cert', 'Certs', e.certs],
      ['CRL', 'CRLs', e.crls],
      ['OCSP', 'OCSPs', e.ocsps],
    ] as const) {
      const present = entry.get(name);
      const refs = [...(reader.array(present) ?? [])];
      const known = new Set(refs.map(refKey));
      const before = refs.length;
      for (const der of ders) {
        const r = refFor(kind, der);
        if (known.has(refKey(r))) continue;
        refs.push(r);
        known.add(refKey(r));
      }
      if (refs.length === before) continue;
      grown = true;
      if (present instanceof PdfRef) update.set(present, refs);
      else entry.set(name, refs);
    }
    if (!grown) continue;
    if (held instanceof PdfRef) update.set(held, entry);
    else vri.set(vriKey, entry);
  }
  for (const kind of ['Certs', 'CRLs', 'OCSPs'] as const) if (lists[kind].length) dss.value.set(kind, lists[kind]);
  if (vri.size && !(dss.value.get('VRI') instanceof PdfRef)) dss.value.set('VRI', vri);

  if (existing instanceof PdfRef) dss.commit();
  else {
    // A new (or formerly inline) DSS becomes its own object.
    catalog.set('DSS', update.add(dss.value));
    update.set(root.ref, catalog);
  }
  return update.build().bytes;
}

function vriSlot(reader: PdfState, update: IncrementalUpdate, dss: PdfDict): PdfDict {
  const v = dss.get('VRI');
  const out = new PdfDict();
  const old = reader.dict(v);
  if (old) for (const [k, x] of old.entries) out.entries.set(k, x);
  if (v instanceof PdfRef) update.set(v, out);
  return out;
}

/** An entry that cannot be decoded (unknown filter, corrupt, over the limits) is compared by its raw bytes. */
function decodeOrRaw(reader: PdfState, s: PdfStream): Uint8Array {
  try {
    return reader.doc.decode(s);
  } catch (error) {
    if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
    return s.data;
  }
}

const refKey = (v: PdfValue): string => (v instanceof PdfRef ? `${v.num} ${v.gen}` : 'direct');
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
