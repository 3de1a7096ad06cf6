import fs from 'node:fs';
import { DEFAULT_PDF_LIMITS, sizeText } from '../pdf/limits.ts';
import { UsageError } from './errors.ts';

/** Largest file a command reads: the PDF reader's own limit, so nothing larger is ever loaded. */
export const MAX_INPUT_BYTES = DEFAULT_PDF_LIMITS.maxFileBytes;

/**
 * Checks that `file` names a regular file no larger than `maxBytes`, without opening it
 * (opening a FIFO would wait for a writer); throws a UsageError saying what is wrong.
 */
export function checkInputFile(file: string, what = 'fichier', maxBytes = MAX_INPUT_BYTES): fs.Stats {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    throw new UsageError(accessProblem(error, file, what));
  }
  return checkStats(stats, file, what, maxBytes);
}

/** The file's bytes, read only after the checks of checkInputFile and never past `maxBytes`. */
export function readInputFile(file: string, what = 'fichier', maxBytes = MAX_INPUT_BYTES): Buffer {
  checkInputFile(file, what, maxBytes);
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the check, opening it does not wait.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(accessProblem(error, file, what));
  }
  try {
    // The checks again on what was opened: the path may name another file by now.
    const { size } = checkStats(fs.fstatSync(fd), file, what, maxBytes);
    // One byte more than announced tells a file that grew since: it is refused, never read whole.
    const buffer = Buffer.alloc(Math.min(size + 1, maxBytes + 1));
    let filled = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
      if (filled === buffer.length) break;
    }
    if (filled > size) throw new UsageError(`${capitalized(what)} « ${file} » a changé pendant la lecture : recommencez.`);
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(accessProblem(error, file, what));
  } finally {
    fs.closeSync(fd);
  }
}

function checkStats(stats: fs.Stats, file: string, what: string, maxBytes: number): fs.Stats {
  if (stats.isDirectory()) throw new UsageError(`« ${file} » est un dossier, pas un fichier.`);
  if (!stats.isFile()) throw new UsageError(`« ${file} » n’est pas un fichier ordinaire (périphérique, tube ou socket) : il n’est pas lu.`);
  if (stats.size > maxBytes) {
    throw new UsageError(`${capitalized(what)} « ${file} » trop volumineux (${humanSize(stats.size)}) : la limite est de ${sizeText(maxBytes)}.`);
  }
  return stats;
}

function accessProblem(error: unknown, file: string, what: string): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `${capitalized(what)} introuvable : « ${file} ».`;
    case 'EACCES':
    case 'EPERM':
      return `Lecture interdite de « ${file} » (droits d’accès).`;
    case 'EISDIR':
      return `« ${file} » est un dossier, pas un fichier.`;
    default:
      return `Impossible de lire « ${file} » (${(error as Error).message}).`;
  }
}

function humanSize(bytes: number): string {
  const units = ['octets', 'Kio', 'Mio', 'Gio', 'Tio'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1).replace('.', ',').replace(/,0$/, '')} ${units[unit]}`;
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
