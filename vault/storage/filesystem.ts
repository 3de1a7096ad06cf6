import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { VaultError } from '../errors.ts';
import { ADDRESS, type ObjectStore } from './store.ts';

const CHUNK = 1 << 20;

/**
 * Objects as read-only files `objects/ab/cd/<sha512>` under `root`. A write goes to a
 * temporary file, is fsynced, then hard-linked to its address and the directory fsynced:
 * link(2), unlike rename(2), fails when the name exists, so nothing is ever overwritten,
 * not even by two deposits of the same bytes at once. A crash at any step leaves either
 * the whole file at its address or none (a temporary file at most, never read).
 */
export class FilesystemStore implements ObjectStore {
  readonly location: string;
  private readonly objects: string;
  private readonly tmp: string;

  constructor(
    readonly root: string,
    label?: string,
  ) {
    this.location = label ?? root;
    this.objects = path.join(root, 'objects');
    this.tmp = path.join(root, 'tmp');
  }

  pathOf(address: string): string {
    if (!ADDRESS.test(address)) throw new VaultError('INVALID_INPUT', `Adresse d'objet invalide : ${address}`);
    return path.join(this.objects, address.slice(0, 2), address.slice(2, 4), address);
  }

  async put(address: string, content: Uint8Array, onStep: (step: string) => void = () => {}): Promise<'written' | 'present'> {
    const final = this.pathOf(address);
    if (await this.exists(address)) return this.confirmPresent(address, final);
    const dir = path.dirname(final);
    await this.makeDirectories(dir);
    await fsp.mkdir(this.tmp, { recursive: true });
    const temporary = path.join(this.tmp, `${address.slice(0, 16)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
    try {
      const handle = await fsp.open(temporary, 'wx', 0o444);
      try {
        onStep('temp-opened');
        const half = content.length >> 1;
        await handle.write(content, 0, half, 0);
        onStep('temp-half-written');
        await handle.write(content, half, content.length - half, half);
        onStep('temp-written');
        await handle.sync();
        onStep('temp-synced');
      } finally {
        await handle.close();
      }
      try {
        await fsp.link(temporary, final);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return this.confirmPresent(address, final);
      }
      onStep('linked');
      await syncDirectory(dir);
      onStep('directory-synced');
      return 'written';
    } catch (error) {
      if (error instanceof VaultError) throw error;
      throw new VaultError('STORAGE_FAILURE', `Écriture impossible dans ${this.location} : ${(error as Error).message}`, { cause: error });
    } finally {
      await fsp.rm(temporary, { force: true });
    }
  }

  /** Same address, same bytes: anything else is a damaged copy, reported and left alone. */
  private async confirmPresent(address: string, final: string): Promise<'present'> {
    const hash = crypto.createHash('sha512');
    for await (const chunk of fs.createReadStream(final, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== address) {
      throw new VaultError('CORRUPTED_COPY', `La copie déjà présente dans ${this.location} pour ${address.slice(0, 16)}… est altérée : elle n'est pas remplacée.`);
    }
    return 'present';
  }

  /** Creates missing levels and fsyncs each parent, so the new names survive a power cut. */
  private async makeDirectories(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    if (missing.length === 0) return;
    await fsp.mkdir(dir, { recursive: true });
    for (const d of missing) await syncDirectory(path.dirname(d));
  }

  async read(address: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.pathOf(address));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(this.location, address);
      throw error;
    }
  }

  async *chunks(address: string): AsyncIterable<Uint8Array> {
    let stream: fs.ReadStream;
    try {
      const handle = await fsp.open(this.pathOf(address), 'r');
      stream = handle.createReadStream({ highWaterMark: CHUNK });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(this.location, address);
      throw error;
    }
    for await (const chunk of stream) yield chunk as Buffer;
  }

  async exists(address: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(address));
      return true;
    } catch {
      return false;
    }
  }

  async remove(address: string): Promise<boolean> {
    const final = this.pathOf(address);
    try {
      await fsp.unlink(final);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await syncDirectory(path.dirname(final));
    return true;
  }

  async *addresses(): AsyncIterable<string> {
    for (const a of await listDir(this.objects)) {
      for (const b of await listDir(path.join(this.objects, a))) {
        for (const name of await listDir(path.join(this.objects, a, b))) if (ADDRESS.test(name)) yield name;
      }
    }
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function notFound(location: string, address: string): VaultError {
  return new VaultError('NOT_FOUND', `Aucune copie de ${address.slice(0, 16)}… dans ${location}.`);
}
