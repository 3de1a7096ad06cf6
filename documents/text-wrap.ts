/**
 * Line breaking for French text measured in a PDF font. Breaks only at spaces,
 * except inside what French typography keeps together: digit groups
 * (« 1 234,56 € », « 912 345 675 »), a time (« 14 h 05 »), a space before
 * « € % : ; ! ? » » and after « « ». A word wider than the line (an e-mail
 * address, a reference) is cut between characters.
 */
export interface Measure {
  widthOf(text: string, size: number): number;
}

const STICKS_TO_PREVIOUS = /^[€%:;!?»]/;

/** Collapses every run of whitespace (new lines, tabs) to one space. */
export function normaliseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Words separated by breakable spaces; a token may hold non-breakable spaces. */
export function breakableTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of normaliseSpaces(text).split(' ')) {
    if (word === '') continue;
    const previous = tokens[tokens.length - 1];
    const glued =
      previous !== undefined &&
      ((/\d$/.test(previous) && /^\d/.test(word)) ||
        (/\d$/.test(previous) && word === 'h') || // a time: « 14 h 05 »
        (/\d h$/.test(previous) && /^\d/.test(word)) ||
        STICKS_TO_PREVIOUS.test(word) ||
        previous.endsWith('«'));
    if (glued) tokens[tokens.length - 1] = `${previous} ${word}`;
    else tokens.push(word);
  }
  return tokens;
}

/** The lines of `text` that fit in `width` at `size`; at least one (possibly empty) line. */
export function wrapText(text: string, measure: Measure, size: number, width: number): string[] {
  const widths = new Map<string, number>();
  const widthOf = (s: string): number => {
    let w = widths.get(s);
    if (w === undefined) {
      w = measure.widthOf(s, size);
      widths.set(s, w);
    }
    return w;
  };
  const space = widthOf(' ');
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const token of breakableTokens(text)) {
    const tokenWidth = widthOf(token);
    if (line !== '' && lineWidth + space + tokenWidth <= width) {
      line += ` ${token}`;
      lineWidth += space + tokenWidth;
      continue;
    }
    if (line !== '') lines.push(line);
    if (tokenWidth <= width) {
      line = token;
      lineWidth = tokenWidth;
      continue;
    }
    const pieces = cutToWidth(token, widthOf, width);
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1] ?? '';
    lineWidth = widthOf(line);
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Cuts a word too wide for one line between characters (code points). */
function cutToWidth(word: string, widthOf: (s: string) => number, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (piece !== '' && widthOf(piece + char) > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
