/**
 * The contract's three signature blocks and their empty signature fields.
 * The fields exist from the first byte of the contract: after the créateur's
 * certification (DocMDP P=2) a later signer may only fill an existing field,
 * not add one. Each field is an AcroForm /FT /Sig field merged with its widget
 * annotation, on the contract's last page, inside its block, at a fixed place.
 */
import { PDFHexString, PDFName, PDFString, type PDFDocument, type PDFPage, type PDFRef } from 'pdf-lib';
import { DocumentError } from './errors.ts';
import { CONTENT_WIDTH, COLORS, MARGIN, type Layout } from './layout.ts';

export type SigningParty = 'createur' | 'revendeur' | 'banque';
/** [x1, y1, x2, y2] in points, on the contract's last page. */
export type Rect = readonly [number, number, number, number];

export interface SignatureFieldSpec {
  party: SigningParty;
  /** The field's /T, the name a signer targets. */
  name: string;
  /** Its role in the contract, as the page shows it. */
  role: string;
  /** The widget's /Rect. */
  rect: Rect;
  /** Position in the signing order, 1 first. */
  order: number;
}

const GUTTER = 12;
const BLOCK_WIDTH = (CONTENT_WIDTH - 2 * GUTTER) / 3;
const FIELD_INSET = 6;
const FIELD_HEIGHT = 80;
/** Height of the band at the bottom of the last page holding the three blocks. */
export const SIGNATURE_BAND_HEIGHT = 170;
const BAND_BOTTOM = MARGIN.bottom;
const BAND_TOP = BAND_BOTTOM + SIGNATURE_BAND_HEIGHT;

function blockLeft(i: number): number {
  return MARGIN.left + i * (BLOCK_WIDTH + GUTTER);
}

/** Rounded to the hundredth of a point, as written in the file. */
function rectOf(x1: number, y1: number, x2: number, y2: number): Rect {
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r(x1), r(y1), r(x2), r(y2)];
}

const PARTIES: ReadonlyArray<{ party: SigningParty; role: string }> = [
  { party: 'createur', role: 'Le preneur' },
  { party: 'revendeur', role: 'Le fournisseur' },
  { party: 'banque', role: 'La banque, bailleur' },
];

/** Field names, rectangles and signing order: what the signing ceremony targets. */
export const CONTRACT_SIGNATURE_FIELDS: readonly SignatureFieldSpec[] = PARTIES.map(({ party, role }, i) => ({
  party,
  name: `signature-${party}`,
  role,
  rect: rectOf(blockLeft(i) + FIELD_INSET, BAND_BOTTOM + FIELD_INSET, blockLeft(i) + BLOCK_WIDTH - FIELD_INSET, BAND_BOTTOM + FIELD_INSET + FIELD_HEIGHT),
  order: i + 1,
}));

export function signatureField(party: SigningParty): SignatureFieldSpec {
  return CONTRACT_SIGNATURE_FIELDS.find((f) => f.party === party)!;
}

/**
 * Draws the three blocks at the bottom of the current page — a new page when
 * the text above would reach them — and places the empty fields in them.
 * `lines` gives each party's text (name, who signs); it shrinks to fit above its field.
 */
export function signatureBlocks(layout: Layout, doc: PDFDocument, lines: Record<SigningParty, string[]>): void {
  if (layout.y - SIGNATURE_BAND_HEIGHT < MARGIN.bottom) layout.newPage();
  const page = layout.page;
  for (const [i, spec] of CONTRACT_SIGNATURE_FIELDS.entries()) {
    const x = blockLeft(i);
    page.drawRectangle({ x, y: BAND_BOTTOM, width: BLOCK_WIDTH, height: SIGNATURE_BAND_HEIGHT, borderColor: COLORS.rule, borderWidth: 0.75 });
    const [x1, y1, x2, y2] = spec.rect;
    page.drawRectangle({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, color: COLORS.band });
    const caption = 7.5;
    layout.drawLine('Signature électronique :', x1, y2 + 2 + layout.lineHeight(caption), { size: caption, color: COLORS.muted });
    blockText(layout, x + FIELD_INSET, BLOCK_WIDTH - 2 * FIELD_INSET, BAND_TOP - FIELD_INSET, y2 + 4 + layout.lineHeight(caption), [
      { text: spec.role, bold: true, accent: true },
      ...lines[spec.party].map((text, j) => ({ text, bold: j === 0 })),
    ]);
  }
  addEmptySignatureFields(doc, page, CONTRACT_SIGNATURE_FIELDS);
  layout.y = BAND_BOTTOM;
}

interface BlockLine {
  text: string;
  bold?: boolean;
  accent?: boolean;
}

/** The block's lines between `top` and `bottom`, at the largest size from 8.5 pt down to 5 pt that fits. */
function blockText(layout: Layout, x: number, width: number, top: number, bottom: number, lines: BlockLine[]): void {
  let size = 8.5;
  let wrapped = wrapAll(layout, lines, width, size);
  while (wrapped.length * layout.lineHeight(size) > top - bottom) {
    size -= 0.5;
    if (size < 5) throw new DocumentError('document_too_long', `Le bloc de signature « ${lines[0]?.text} » ne tient pas au-dessus de son champ.`);
    wrapped = wrapAll(layout, lines, width, size);
  }
  wrapped.forEach((l, j) =>
    layout.drawLine(l.text, x, top - j * layout.lineHeight(size), {
      size,
      bold: l.bold ?? false,
      color: l.accent ? COLORS.accent : COLORS.text,
    }),
  );
}

function wrapAll(layout: Layout, lines: BlockLine[], width: number, size: number): BlockLine[] {
  return lines.flatMap((l) => layout.wrap(l.text, width, size, l.bold).map((text) => ({ ...l, text })));
}

/** One unsigned /Sig field merged with its widget per spec, listed in a new /AcroForm. */
function addEmptySignatureFields(doc: PDFDocument, page: PDFPage, specs: readonly SignatureFieldSpec[]): void {
  const context = doc.context;
  const refs: PDFRef[] = specs.map((spec) => {
    const [x1, y1, x2, y2] = spec.rect;
    const appearance = context.register(context.stream('', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, x2 - x1, y2 - y1], Resources: {} }));
    const field = context.obj({
      FT: 'Sig',
      T: PDFString.of(spec.name),
      TU: PDFHexString.fromText(`Signature : ${spec.role.toLowerCase()}`),
      Type: 'Annot',
      Subtype: 'Widget',
      F: 4, // printed
      Rect: [x1, y1, x2, y2],
      P: page.ref,
      AP: { N: appearance },
    });
    const ref = context.register(field);
    page.node.addAnnot(ref);
    return ref;
  });
  doc.catalog.set(PDFName.of('AcroForm'), context.register(context.obj({ Fields: refs })));
}
