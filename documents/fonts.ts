/**
 * The fonts every document embeds: DejaVu Sans Condensed, regular and bold,
 * from the pinned npm package dejavu-fonts-ttf (Bitstream Vera licence with
 * public-domain DejaVu changes: free to embed and redistribute). The PDF
 * standard fonts are not embedded and only know WinAnsi; these cover every
 * French letter (é è ê ë à â ç î ï ô ù û ü ÿ œ æ and capitals), « », € and the
 * typographic apostrophe, and are embedded as subsets.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

export const FONT_PACKAGE = 'dejavu-fonts-ttf';
export const FONT_FILES = {
  regular: 'DejaVuSansCondensed.ttf',
  bold: 'DejaVuSansCondensed-Bold.ttf',
} as const;
export type FontFace = keyof typeof FONT_FILES;

const require = createRequire(import.meta.url);
const loaded = new Map<FontFace, Uint8Array>();

/** The TrueType file of a face, read once per process. */
export function fontBytes(face: FontFace): Uint8Array {
  let bytes = loaded.get(face);
  if (!bytes) {
    bytes = new Uint8Array(fs.readFileSync(require.resolve(`${FONT_PACKAGE}/ttf/${FONT_FILES[face]}`)));
    loaded.set(face, bytes);
  }
  return bytes;
}
