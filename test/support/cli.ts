import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
const launcher = path.join(root, 'cli/launch.mjs');

/**
 * The command line as ./passeport runs it: node running the compiled CLI through its
 * launcher (rebuilt first if a source changed), in one process, so a signal sent to the
 * child reaches the command itself.
 */
export function cli(...args: string[]): [string, string[]] {
  return [process.execPath, [launcher, ...args]];
}
