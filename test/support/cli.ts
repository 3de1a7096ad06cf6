import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
const loader = path.join(root, 'node_modules/tsx/dist/loader.mjs');

/**
 * The command line as ./passeport runs it: node with tsx's loader, in one process, so
 * a signal sent to the child reaches the command itself (tsx's own CLI would sit in
 * between and relay it, or kill the command when it is slow to answer).
 */
export function cli(...args: string[]): [string, string[]] {
  return [process.execPath, ['--import', loader, path.join(root, 'cli/main.ts'), ...args]];
}
