import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PasseportError } from '../errors/index.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export class TemporalCliMissingError extends PasseportError<'TEMPORAL_CLI_MISSING'> {
  constructor(message: string) {
    super('TEMPORAL_CLI_MISSING', message);
  }
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI, then the project's tools/ folder, then PATH.
 * The caller decides what to do when none is found (the message says how to build it).
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.TEMPORAL_CLI, path.join(projectRoot, 'tools', 'temporal')];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir) candidates.push(path.join(dir, 'temporal'));
  }
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new TemporalCliMissingError(
    'Le Temporal CLI est introuvable (TEMPORAL_CLI, tools/temporal, PATH). ' +
      'Construisez-le avec « bash scripts/ensure-temporal.sh » (Go 1.22 ou plus), ou donnez TEMPORAL_ADDRESS pour utiliser un cluster existant.',
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
