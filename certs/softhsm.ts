import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PkiError } from './errors.ts';

/**
 * Development and test helper: a SoftHSM2 token store in its own directory.
 * Point SOFTHSM2_CONF at the returned file BEFORE the module is first used in the process.
 */
export interface SoftHsmStore {
  confPath: string;
  tokenDir: string;
}

export function createSoftHsmStore(dir: string): SoftHsmStore {
  const tokenDir = path.join(dir, 'tokens');
  fs.mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  const confPath = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(confPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return { confPath, tokenDir };
}

/** `softhsm2-util --init-token --free` with the store's configuration. */
export function initSoftHsmToken(store: SoftHsmStore, token: { label: string; pin: string; soPin: string }): void {
  try {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token.label, '--pin', token.pin, '--so-pin', token.soPin], {
      env: { ...process.env, SOFTHSM2_CONF: store.confPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new PkiError('TOKEN_INIT_FAILED', `Initialisation du jeton « ${token.label} » impossible${stderr ? ` : ${stderr}` : ''}.`);
  }
}
