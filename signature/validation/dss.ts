import { PdfStream, PdfDict, isPdfError, type PdfState } from '../../pdf/index.ts';

/** The Document Security Store's validation data, decoded. */
export interface DssContent {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  ocspResponses: Uint8Array[];
  vriCount: number;
}

const MAX_ITEMS = 5_000;

/** Reads /DSS from the catalog of `state`; undefined when there is none. Unreadable entries are skipped. */
export function readDss(state: PdfState): DssContent | undefined {
  const dss = state.dict(state.root()?.get('DSS'));
  if (!dss) return undefined;
  const list = (key: string): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (const item of (state.array(dss.get(key)) ?? []).slice(0, MAX_ITEMS)) {
      try {
        const s = state.resolve(item);
        if (s instanceof PdfStream) out.push(state.doc.decode(s));
      } catch (error) {
        if (isPdfError(error, 'PDF_TIME_BUDGET')) throw error;
        // An unreadable entry only means less validation data.
      }
    }
    return out;
  };
  const vri = state.dict(dss.get('VRI'));
  return {
    certificates: list('Certs'),
    crls: list('CRLs'),
    ocspResponses: list('OCSPs'),
    vriCount: vri instanceof PdfDict ? vri.size : 0,
  };
}
