/**
 * A deposit in a process of its own, killed with SIGKILL (no cleanup of any kind) when it
 * reaches step number KILL_AT of the write; every step is printed first, synchronously.
 *   DATABASE_URL=… VAULT_LOCATIONS=dir1,dir2 SEED=text KILL_AT=n node --import tsx crash-child.ts
 */
import fs from 'node:fs';
import { openDatabase } from '../../../db/connect.ts';
import { vaultPorts } from '../../../vault/adapters.ts';
import { FilesystemStore } from '../../../vault/storage/filesystem.ts';
import { Vault } from '../../../vault/vault.ts';
import { crashPackage } from './crash-package.ts';

const killAt = Number(process.env.KILL_AT ?? -1);
const db = await openDatabase({ url: process.env.DATABASE_URL!, dataDir: 'unused', max: 2 });
const stores = process.env.VAULT_LOCATIONS!.split(',').map((dir, i) => new FilesystemStore(dir, `emplacement ${i + 1}`));
// Nothing here timestamps or verifies: the ports exist because a vault always has them.
const vault = new Vault({ sql: db.sql, stores, ports: vaultPorts({ trustAnchors: [], tsa: { url: 'http://127.0.0.1:9/tsa' } }) });
let step = 0;
const result = await vault.deposit({ kind: 'system', name: 'moteur' }, crashPackage(process.env.SEED!), {
  onStep: (name) => {
    fs.writeSync(1, `STEP ${step} ${name}\n`);
    if (step++ === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
fs.writeSync(1, `DONE ${result.packageId}\n`);
await db.close();
