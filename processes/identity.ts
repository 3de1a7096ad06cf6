/**
 * Which process a pid file speaks of: a pid alone may have been reused since,
 * so a pid file also keeps the process's start time (/proc/<pid>/stat), and
 * "alive" means the same pid with the same start time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PasseportError } from '../errors/index.ts';

export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot, field 22 of /proc/<pid>/stat. */
  startTicks: string;
}

export function identityOf(pid: number): ProcessIdentity | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited already; only its parent has not read its status yet.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    const startTicks = fields[19];
    return startTicks ? { pid, startTicks } : null;
  } catch {
    return null;
  }
}

export function ownIdentity(): ProcessIdentity {
  const id = identityOf(process.pid);
  if (!id) throw new PasseportError('PLATFORM_UNSUPPORTED', '/proc est illisible : Passeport a besoin de Linux.');
  return id;
}

export function isAlive(identity: ProcessIdentity | null | undefined): boolean {
  if (!identity) return false;
  return identityOf(identity.pid)?.startTicks === identity.startTicks;
}

/** The command line of a live process, or '' (zombie, gone, or not ours to read). */
export function commandLineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export type PidFile<T extends object = object> = ProcessIdentity & T;

export function readPidFile<T extends object>(file: string): PidFile<T> | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as PidFile<T>;
    return typeof parsed.pid === 'number' && typeof parsed.startTicks === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

export function writePidFile<T extends object>(file: string, content: PidFile<T>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(content), { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/** Waits until the process is gone (or `timeoutMs` passed); true when it is gone. */
export async function waitUntilGone(identity: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(identity)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** SIGTERM (or `signal`), then SIGKILL past `graceMs`: for processes of an earlier run, not our children. */
export async function stopProcess(identity: ProcessIdentity, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!isAlive(identity)) return;
  try {
    process.kill(identity.pid, signal);
  } catch {
    return;
  }
  if (await waitUntilGone(identity, graceMs)) return;
  try {
    process.kill(identity.pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitUntilGone(identity, 5_000);
}
