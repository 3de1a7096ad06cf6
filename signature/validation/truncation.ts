/**
 * A signed file cut short (an interrupted download or copy) must say so, not that data was
 * appended: its last revision is unfinished — an object with no `endobj`, a /ByteRange
 * reaching past the end of the file, or a cross-reference section or startxref with no
 * %%EOF after it. Complete objects appended after the last %%EOF are appended data.
 */
export function truncationReason(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const lastEof = buf.lastIndexOf('%%EOF', undefined, 'latin1');
  const tail = buf.subarray(lastEof < 0 ? 0 : lastEof + 5).toString('latin1');
  if (tail.trimEnd().length === 0) return undefined;
  for (const m of tail.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    if (Number(m[3]) + Number(m[4]) > bytes.length) return 'fichier tronqué : la dernière signature couvre des octets au-delà de la fin du fichier';
  }
  const headers = [...tail.matchAll(/(^|\s)\d+\s+\d+\s+obj\b/g)];
  const last = headers[headers.length - 1];
  if (last && !tail.includes('endobj', last.index)) return 'fichier tronqué : la dernière révision s’arrête au milieu d’un objet';
  if (/(^|\s)(xref|startxref)\s/.test(tail) || /\/Type\s*\/XRef\b/.test(tail)) return 'fichier tronqué : la dernière révision est incomplète (fin de fichier %%EOF absente)';
  return undefined;
}
