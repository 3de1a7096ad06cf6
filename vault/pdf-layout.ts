import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/**
 * A minimal flowing layout over pdf-lib for the vault's reports: headings, paragraphs,
 * label/value rows and monospace blocks, wrapped to the page and continued on new pages.
 * Text is reduced to what the standard fonts' WinAnsi encoding can show.
 */
const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;

const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';

export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if (ch === '\t') out += '  ';
    else if (ch === '\n') out += ch;
    else if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.includes(ch)) out += ch;
    else if (ch === '≤') out += '<=';
    else if (ch === '‖') out += '||';
    else if (ch === '→') out += '->';
    else out += '?';
  }
  return out;
}

export class FlowDocument {
  private page!: PDFPage;
  private y = 0;

  private constructor(
    readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly mono: PDFFont,
    private readonly footer: string,
  ) {
    this.newPage();
  }

  static async create(title: string, footer: string): Promise<FlowDocument> {
    const doc = await PDFDocument.create();
    doc.setTitle(winAnsi(title));
    doc.setLanguage('fr-FR');
    doc.setProducer('Passeport — coffre-fort');
    const [regular, bold, mono] = await Promise.all([doc.embedFont(StandardFonts.Helvetica), doc.embedFont(StandardFonts.HelveticaBold), doc.embedFont(StandardFonts.Courier)]);
    return new FlowDocument(doc, regular, bold, mono, footer);
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    const n = this.doc.getPageCount();
    this.page.drawText(winAnsi(`${this.footer} — page ${n}`), { x: MARGIN, y: MARGIN / 2, size: 7, font: this.regular, color: rgb(0.4, 0.4, 0.4) });
  }

  private room(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  private get width(): number {
    return A4[0] - 2 * MARGIN;
  }

  private wrap(text: string, font: PDFFont, size: number, width: number, hard = false): string[] {
    const lines: string[] = [];
    for (const paragraph of winAnsi(text).split('\n')) {
      if (hard) {
        const perLine = Math.max(1, Math.floor(width / font.widthOfTextAtSize('0', size)));
        for (let i = 0; i < paragraph.length || i === 0; i += perLine) lines.push(paragraph.slice(i, i + perLine));
        continue;
      }
      let line = '';
      for (const word of paragraph.split(' ')) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) <= width || !line) line = candidate;
        else {
          lines.push(line);
          line = word;
        }
      }
      lines.push(line);
    }
    return lines;
  }

  private lines(lines: string[], font: PDFFont, size: number, x = MARGIN): void {
    for (const line of lines) {
      this.room(size + 3);
      this.y -= size + 3;
      this.page.drawText(line, { x, y: this.y, size, font });
    }
  }

  title(text: string): void {
    this.lines(this.wrap(text, this.bold, 16, this.width), this.bold, 16);
    this.y -= 6;
  }

  heading(text: string): void {
    this.room(40);
    this.y -= 10;
    this.lines(this.wrap(text, this.bold, 11, this.width), this.bold, 11);
    this.y -= 2;
  }

  paragraph(text: string, size = 9): void {
    this.lines(this.wrap(text, this.regular, size, this.width), this.regular, size);
    this.y -= 3;
  }

  /** A label and its value; the value wraps under itself. */
  row(label: string, value: string): void {
    const labelWidth = 150;
    const valueLines = this.wrap(value, this.regular, 9, this.width - labelWidth);
    this.room(12);
    const top = this.y;
    this.lines(this.wrap(label, this.bold, 9, labelWidth - 8), this.bold, 9);
    const afterLabel = this.y;
    this.y = top;
    this.lines(valueLines, this.regular, 9, MARGIN + labelWidth);
    this.y = Math.min(this.y, afterLabel);
  }

  /** A line of text and the monospace value it introduces, never split by a page break. */
  labelled(label: string, value: string): void {
    this.room(12 + 11 * (value.split('\n').length + 1));
    this.paragraph(label);
    this.code(value);
  }

  /** Monospace, cut at the margin (hexadecimal values, the journal entry's exact text). */
  code(text: string, size = 7.5): void {
    this.lines(this.wrap(text, this.mono, size, this.width, true), this.mono, size);
    this.y -= 3;
  }

  async attach(bytes: Uint8Array, name: string, mimeType: string, description: string): Promise<void> {
    await this.doc.attach(bytes, name, { mimeType, description: winAnsi(description) });
  }

  async save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: false });
  }
}
