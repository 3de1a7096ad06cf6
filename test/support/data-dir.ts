import fs from 'node:fs';
import path from 'node:path';

const TMP = path.resolve(import.meta.dirname, '../../tmp');

/**
 * A fresh DATA_DIR under the repository's tmp/, open to other users: as root,
 * the embedded PostgreSQL runs as the `postgres` system user, which must reach
 * DATA_DIR/postgres (a private mkdtemp folder under /tmp would shut it out).
 */
export function makeDataDir(prefix: string): string {
  fs.mkdirSync(TMP, { recursive: true });
  const dir = fs.mkdtempSync(path.join(TMP, `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}
