/**
 * The deterministic PDF shell shared by every document: same input and same
 * instant give the same bytes. pdf-lib's own randomness is a PRNG seeded per
 * document; what remains is pinned here: the /Info dates come from `now`, the
 * producer is fixed, the trailer /ID is a hash of the input and `now`, and the
 * subset font names carry a tag derived from that /ID.
 */
import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFHexString, type PDFFont } from 'pdf-lib';
import { fontBytes, type FontFace } from './fonts.ts';
import { invalidInput } from './errors.ts';

export interface RenderOptions {
  /** The instant the document is made: its PDF dates and the « fait le » date (Paris). */
  now: Date | string;
}

export type DocumentKind = 'dossier-summary' | 'decision-letter' | 'contract' | 'evidence';

export interface DocumentMeta {
  kind: DocumentKind;
  title: string;
  subject: string;
  /** Who issues the document (the bank for a letter or a contract). */
  author: string;
  keywords: string[];
}

export type Fonts = Record<FontFace, PDFFont>;

/** Width in points of a text set in a face, the way pdf-lib will draw it. */
export type MeasureText = (text: string, size: number, face: FontFace) => number;

export const PRODUCER = 'Passeport (pdf-lib 1.17.1, DejaVu Sans)';

export interface OpenDocument {
  doc: PDFDocument;
  fonts: Fonts;
  measure: MeasureText;
  /** The 16 bytes of both halves of the trailer /ID. */
  id: Buffer;
}

/** The instant of `now`, refused in French when it is not one. */
export function instantOf(now: Date | string): Date {
  const date = typeof now === 'string' ? new Date(now) : now;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw invalidInput(`Date de création du document invalide : ${String(now)}.`);
  }
  return date;
}

/** A new A4 document with its metadata set and the fonts embedded (as subsets). */
export async function openDocument(meta: DocumentMeta, input: unknown, now: Date): Promise<OpenDocument> {
  const id = createHash('sha256')
    .update(JSON.stringify({ kind: meta.kind, now: now.toISOString(), input }))
    .digest()
    .subarray(0, 16);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(parsedOnce);
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setSubject(meta.subject);
  doc.setAuthor(meta.author);
  doc.setKeywords(meta.keywords);
  doc.setCreator('Passeport');
  doc.setProducer(PRODUCER);
  doc.setLanguage('fr-FR');
  doc.setCreationDate(now);
  doc.setModificationDate(now);
  const embed = (face: FontFace, name: string, tag: string) => doc.embedFont(fontBytes(face), { subset: true, customName: `${tag}+${name}`, features: NO_SHAPING });
  const fonts: Fonts = {
    regular: await embed('regular', 'DejaVuSansCondensed', subsetTag(id, 0)),
    bold: await embed('bold', 'DejaVuSansCondensed-Bold', subsetTag(id, 6)),
  };
  return { doc, fonts, measure: measureText, id };
}

/**
 * fontkit, parsing each font file once per process (20 ms a face). A parsed
 * font is only read afterwards: every document makes its own subset of it.
 */
const parsedFonts = new Map<Uint8Array, fontkit.Font>();
const parsedOnce: Pick<typeof fontkit, 'create'> = {
  create(bytes: Uint8Array, postscriptName?: string): fontkit.Font {
    let font = parsedFonts.get(bytes);
    if (!font) {
      font = fontkit.create(bytes, postscriptName);
      parsedFonts.set(bytes, font);
    }
    return font;
  },
};

/**
 * OpenType features switched off: pdf-lib writes glyph ids with their nominal
 * widths and ignores kerning, so shaping only cost time (three quarters of a
 * contract's), and ligatures would make copied text depend on the viewer.
 * French needs none of them: every accented letter has its own glyph.
 */
const NO_SHAPING = Object.fromEntries(['ccmp', 'locl', 'rlig', 'mark', 'mkmk', 'calt', 'clig', 'liga', 'rclt', 'curs', 'kern', 'dlig'].map((f) => [f, false]));

/**
 * Text widths from each glyph's advance, cached per code point. pdf-lib's own
 * widthOfTextAtSize sums the same advances but lays the text out through
 * fontkit on every call, which made measuring for line breaks most of a
 * contract's time. With shaping off both give the same glyphs (tested).
 */
const advances = new Map<fontkit.Font, Map<number, number>>();
const measureText: MeasureText = (text, size, face) => {
  const font = parsedOnce.create(fontBytes(face));
  let cache = advances.get(font);
  if (!cache) {
    cache = new Map();
    advances.set(font, cache);
  }
  let units = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    let advance = cache.get(codePoint);
    if (advance === undefined) {
      advance = font.glyphForCodePoint(codePoint).advanceWidth;
      cache.set(codePoint, advance);
    }
    units += advance;
  }
  return (units * size) / font.unitsPerEm;
};

/** Serialises with a classic cross-reference table, which every signer and validator reads. */
export async function saveDocument({ doc, id }: OpenDocument): Promise<Uint8Array> {
  const half = PDFHexString.of(id.toString('hex').toUpperCase());
  doc.context.trailerInfo.ID = doc.context.obj([half, half]);
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false, addDefaultPage: false });
}

/**
 * Six capital letters naming a font subset (ISO 32000-1, 9.6.4), the same for
 * the same /ID; the faces draw theirs from different bytes of it.
 */
function subsetTag(id: Buffer, from: number): string {
  return Array.from(id.subarray(from, from + 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
}
