/**
 * A top-to-bottom page writer over pdf-lib: wrapped paragraphs, label/value
 * rows and tables that continue on a new page (repeating their header), and
 * page footers drawn once the page count is known. With `maxPages`, needing
 * one page more is a DocumentError 'document_too_long'.
 */
import { rgb, type PDFDocument, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { DocumentError } from './errors.ts';
import type { Fonts, MeasureText, OpenDocument } from './pdf-document.ts';
import { wrapText } from './text-wrap.ts';

/** A4 in PDF points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
export const MARGIN = { left: 50, right: 50, top: 48, bottom: 48 } as const;
export const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;

export const COLORS = {
  text: rgb(0.1, 0.1, 0.1),
  muted: rgb(0.38, 0.38, 0.38),
  accent: rgb(0.05, 0.25, 0.5),
  rule: rgb(0.75, 0.75, 0.75),
  band: rgb(0.92, 0.94, 0.97),
} as const;

const LEADING = 1.3;

export interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: RGB;
  /** From the left margin. */
  indent?: number;
  /** Defaults to the rest of the line. */
  width?: number;
  align?: 'left' | 'right';
}

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

export interface LayoutOptions {
  /** Body text size in points. */
  size: number;
  maxPages?: number;
}

export class Layout {
  readonly pages: PDFPage[] = [];
  /** Top of the next line, in points from the bottom of the page. */
  y = 0;
  readonly size: number;

  private readonly doc: PDFDocument;
  private readonly fonts: Fonts;
  private readonly measure: MeasureText;

  constructor(
    open: Pick<OpenDocument, 'doc' | 'fonts' | 'measure'>,
    private readonly options: LayoutOptions,
  ) {
    this.doc = open.doc;
    this.fonts = open.fonts;
    this.measure = open.measure;
    this.size = options.size;
    this.newPage();
  }

  get page(): PDFPage {
    return this.pages[this.pages.length - 1]!;
  }

  newPage(): void {
    if (this.options.maxPages !== undefined && this.pages.length >= this.options.maxPages) {
      throw new DocumentError('document_too_long', `Le document dépasse ${this.options.maxPages} page(s).`);
    }
    this.pages.push(this.doc.addPage([A4.width, A4.height]));
    this.y = A4.height - MARGIN.top;
  }

  /** Starts a new page unless `height` points still fit above the bottom margin. */
  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  space(height: number): void {
    this.y -= height;
  }

  font(bold?: boolean): PDFFont {
    return bold ? this.fonts.bold : this.fonts.regular;
  }

  lineHeight(size = this.size): number {
    return size * LEADING;
  }

  /** Inner margin of a table cell. */
  get cellPadding(): number {
    return this.size * 0.3;
  }

  /** The narrowest column holding every text on one line (a header may wrap between words). */
  columnWidth(texts: readonly string[], header: string): number {
    const widest = (strings: readonly string[], bold: boolean) => Math.max(0, ...strings.map((t) => this.widthOf(t, this.size, bold)));
    return Math.max(widest(texts, false), widest(header.split(' '), true)) + 2 * this.cellPadding + 1;
  }

  /** Width of a text in points. */
  widthOf(text: string, size = this.size, bold = false): number {
    return this.measure(text, size, bold ? 'bold' : 'regular');
  }

  /** The lines `text` takes at a width. */
  wrap(text: string, width: number, size = this.size, bold = false): string[] {
    return wrapText(text, { widthOf: (s, sz) => this.widthOf(s, sz, bold) }, size, width);
  }

  /** One line of text with its baseline placed for a line box whose top is `top`. */
  drawLine(text: string, x: number, top: number, style: TextStyle & { width?: number } = {}): void {
    const size = style.size ?? this.size;
    const font = this.font(style.bold);
    const left = style.align === 'right' && style.width !== undefined ? x + style.width - this.widthOf(text, size, style.bold) : x;
    this.page.drawText(text, { x: left, y: top - size, size, font, color: style.color ?? COLORS.text });
  }

  /** A wrapped paragraph; its lines move to the next page when the page is full. */
  paragraph(text: string, style: TextStyle = {}): void {
    const size = style.size ?? this.size;
    const indent = style.indent ?? 0;
    const width = style.width ?? CONTENT_WIDTH - indent;
    for (const line of this.wrap(text, width, size, style.bold)) {
      this.ensure(this.lineHeight(size));
      this.drawLine(line, MARGIN.left + indent, this.y, { ...style, size, width });
      this.y -= this.lineHeight(size);
    }
  }

  /** Height of a wrapped paragraph. */
  paragraphHeight(text: string, style: TextStyle = {}): number {
    const size = style.size ?? this.size;
    return this.wrap(text, style.width ?? CONTENT_WIDTH - (style.indent ?? 0), size, style.bold).length * this.lineHeight(size);
  }

  /** A section title in the accent colour, kept with at least two lines of what follows. */
  heading(text: string, style: Pick<TextStyle, 'indent' | 'width'> = {}): void {
    const size = this.size + 2;
    this.space(size * 0.4);
    this.ensure(this.lineHeight(size) + 2 * this.lineHeight());
    this.paragraph(text, { ...style, size, bold: true, color: COLORS.accent });
    this.space(size * 0.15);
  }

  /** Height of a one-line heading with its spacing. */
  headingHeight(): number {
    const size = this.size + 2;
    return size * 0.55 + this.lineHeight(size);
  }

  /**
   * Blocks drawn next to each other from the same top, each in its own column;
   * the cursor ends under the longest. The caller makes sure they fit the page.
   */
  sideBySide(blocks: ReadonlyArray<(area: { indent: number; width: number }) => void>, gutter = 16): void {
    const top = this.y;
    const page = this.pages.length;
    const width = (CONTENT_WIDTH - gutter * (blocks.length - 1)) / blocks.length;
    let bottom = top;
    blocks.forEach((draw, i) => {
      this.y = top;
      draw({ indent: i * (width + gutter), width });
      if (this.pages.length !== page) throw new DocumentError('document_too_long', 'Des colonnes côte à côte dépassent la page.');
      bottom = Math.min(bottom, this.y);
    });
    this.y = bottom;
  }

  /** Bulleted lines, wrapped under their own indent. */
  bullets(items: string[], style: TextStyle = {}): void {
    const size = style.size ?? this.size;
    for (const item of items) {
      this.ensure(this.lineHeight(size));
      this.drawLine('•', MARGIN.left + (style.indent ?? 0) + 4, this.y, { size });
      this.paragraph(item, { ...style, indent: (style.indent ?? 0) + 14 });
    }
  }

  /** Label on the left (bold), value wrapped on the right; a row never splits across pages. */
  keyValues(rows: ReadonlyArray<readonly [string, string]>, labelWidth: number, style: TextStyle = {}): void {
    const size = style.size ?? this.size;
    const indent = style.indent ?? 0;
    const width = style.width ?? CONTENT_WIDTH - indent;
    for (const [label, value] of rows) {
      const { labels, values, height } = this.keyValueRow(label, value, labelWidth, width, size);
      this.ensure(height);
      labels.forEach((l, i) => this.drawLine(l, MARGIN.left + indent, this.y - i * this.lineHeight(size), { size, bold: true }));
      values.forEach((v, i) => this.drawLine(v, MARGIN.left + indent + labelWidth, this.y - i * this.lineHeight(size), { size }));
      this.y -= height;
    }
  }

  /** Height of label/value rows drawn by keyValues. */
  keyValuesHeight(rows: ReadonlyArray<readonly [string, string]>, labelWidth: number, style: TextStyle = {}): number {
    const width = style.width ?? CONTENT_WIDTH - (style.indent ?? 0);
    return rows.reduce((sum, [label, value]) => sum + this.keyValueRow(label, value, labelWidth, width, style.size ?? this.size).height, 0);
  }

  private keyValueRow(label: string, value: string, labelWidth: number, width: number, size: number) {
    const labels = this.wrap(label, labelWidth - 6, size, true);
    const values = this.wrap(value, width - labelWidth, size);
    return { labels, values, height: Math.max(labels.length, values.length) * this.lineHeight(size) };
  }

  /** A table with wrapped cells; its header is drawn again on every page it runs onto. */
  table(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>, options: { size?: number; indent?: number } = {}): void {
    const size = options.size ?? this.size;
    const x0 = MARGIN.left + (options.indent ?? 0);
    const tableWidth = columns.reduce((sum, c) => sum + c.width, 0);
    const lineHeight = this.lineHeight(size);
    const padding = this.cellPadding;
    const cellLines = (cells: readonly string[], bold: boolean) => columns.map((c, i) => this.wrap(cells[i] ?? '', c.width - 2 * padding, size, bold));
    const rowHeight = (lines: string[][]) => Math.max(...lines.map((l) => l.length)) * lineHeight + 2 * padding;
    const header = cellLines(
      columns.map((c) => c.header),
      true,
    );
    const headerHeight = rowHeight(header);

    const drawRow = (lines: string[][], height: number, bold: boolean, shaded: boolean) => {
      if (shaded) this.page.drawRectangle({ x: x0, y: this.y - height, width: tableWidth, height, color: COLORS.band });
      let x = x0;
      columns.forEach((c, i) => {
        (lines[i] ?? []).forEach((text, j) =>
          this.drawLine(text, x + padding, this.y - padding - j * lineHeight, { size, bold, width: c.width - 2 * padding, ...(c.align ? { align: c.align } : {}) }),
        );
        x += c.width;
      });
      this.y -= height;
      this.page.drawLine({ start: { x: x0, y: this.y }, end: { x: x0 + tableWidth, y: this.y }, thickness: 0.5, color: COLORS.rule });
    };

    this.ensure(headerHeight + lineHeight + 2 * padding);
    drawRow(header, headerHeight, true, true);
    for (const cells of rows) {
      const lines = cellLines(cells, false);
      const height = rowHeight(lines);
      if (this.y - height < MARGIN.bottom) {
        this.newPage();
        drawRow(header, headerHeight, true, true);
      }
      drawRow(lines, height, false, false);
    }
  }

  /** A thin horizontal rule across the text width. */
  rule(gap = 4): void {
    this.space(gap);
    this.page.drawLine({ start: { x: MARGIN.left, y: this.y }, end: { x: A4.width - MARGIN.right, y: this.y }, thickness: 0.5, color: COLORS.rule });
    this.space(gap);
  }

  /** Writes each page's footer once every page exists ('page 2 sur 3' needs the total). */
  footers(text: (pageNumber: number, pageCount: number) => string): void {
    const size = 7.5;
    this.pages.forEach((page, i) => {
      const line = text(i + 1, this.pages.length);
      const width = this.widthOf(line, size);
      page.drawText(line, { x: (A4.width - width) / 2, y: MARGIN.bottom / 2, size, font: this.fonts.regular, color: COLORS.muted });
    });
  }
}
