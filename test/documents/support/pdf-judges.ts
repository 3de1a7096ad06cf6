import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Outside judges for the documents: poppler's pdfinfo, pdftotext and pdffonts (qpdf lives in test/signature/support/judges.ts). */

let dir: string | undefined;
let counter = 0;

export function writeTemp(bytes: Uint8Array, name = 'document'): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-documents-'));
  const file = path.join(dir, `${name}-${process.pid}-${++counter}.pdf`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Removes the files writeTemp made (call in afterAll). */
export function removeTemp(): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

export interface PdfInfo {
  pages: number;
  /** Width × height in points, per page. */
  pageSizes: Array<[number, number]>;
  fields: Record<string, string>;
}

export async function pdfinfo(file: string): Promise<PdfInfo> {
  const { stdout } = await run('pdfinfo', ['-f', '1', '-l', '9999', file]);
  const fields: Record<string, string> = {};
  const pageSizes: Array<[number, number]> = [];
  for (const line of stdout.split('\n')) {
    const size = /^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/.exec(line);
    if (size) pageSizes.push([Number(size[1]), Number(size[2])]);
    const field = /^([A-Za-z ]+):\s+(.*)$/.exec(line);
    if (field) fields[field[1]!.trim()] = field[2]!.trim();
  }
  return { pages: Number(fields['Pages']), pageSizes, fields };
}

/** The text as poppler reads it, every run of white space (no-break ones included) made one space. */
export async function pdftext(file: string, options: { layout?: boolean } = {}): Promise<string> {
  const { stdout } = await run('pdftotext', [...(options.layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-'], { maxBuffer: 1 << 24 });
  return stdout.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
}

export interface WordBox {
  page: number;
  word: string;
  /** PDF user space: origin at the bottom left. */
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Every word with its box, from pdftotext -bbox, turned to PDF coordinates. */
export async function wordBoxes(file: string): Promise<WordBox[]> {
  const { stdout } = await run('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-'], { maxBuffer: 1 << 24 });
  const boxes: WordBox[] = [];
  let page = 0;
  let height = 0;
  for (const line of stdout.split('\n')) {
    const p = /<page width="([\d.]+)" height="([\d.]+)">/.exec(line);
    if (p) {
      page++;
      height = Number(p[2]);
      continue;
    }
    const w = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
    if (w) {
      boxes.push({ page, word: decodeEntities(w[5]!), xMin: Number(w[1]), xMax: Number(w[3]), yMin: height - Number(w[4]), yMax: height - Number(w[2]) });
    }
  }
  return boxes;
}

/** The words inside a rectangle of one page, in reading order (lines top down, words left to right). */
export function textIn(boxes: WordBox[], area: { page: number; xMin?: number; xMax?: number; yMin?: number; yMax?: number }): string {
  const inside = boxes.filter(
    (b) =>
      b.page === area.page && b.xMin >= (area.xMin ?? -Infinity) && b.xMax <= (area.xMax ?? Infinity) && b.yMin >= (area.yMin ?? -Infinity) && b.yMax <= (area.yMax ?? Infinity),
  );
  inside.sort((a, b) => (Math.abs(a.yMax - b.yMax) > 1 ? b.yMax - a.yMax : a.xMin - b.xMin));
  return inside.map((b) => b.word).join(' ');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface FontRow {
  name: string;
  type: string;
  embedded: boolean;
  subset: boolean;
  unicode: boolean;
}

export async function pdffonts(file: string): Promise<FontRow[]> {
  const { stdout } = await run('pdffonts', [file]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cols = l.trim().split(/\s+/);
      const [emb, sub, uni] = cols.slice(-5, -2);
      return { name: cols[0]!, type: cols.slice(1, -6).join(' '), embedded: emb === 'yes', subset: sub === 'yes', unicode: uni === 'yes' };
    });
}

export const A4_POINTS: [number, number] = [595.28, 841.89];

/** Every « n° date amount » triple of the contract's schedule table (article 4), as pdftotext -layout reads it. */
export function scheduleFromText(layoutText: string): Array<{ index: number; dueDate: string; rentCents: number }> {
  const article = layoutText.slice(layoutText.indexOf('Article 4'), layoutText.indexOf('Article 5'));
  return [...article.matchAll(/(\d+) (\d\d)\/(\d\d)\/(\d{4}) (\d{1,3}(?: \d{3})*),(\d\d) €/g)]
    .map((m) => ({ index: Number(m[1]), dueDate: `${m[4]}-${m[3]}-${m[2]}`, rentCents: Number(m[5]!.replace(/ /g, '')) * 100 + Number(m[6]) }))
    .sort((a, b) => a.index - b.index);
}
