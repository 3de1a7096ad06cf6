import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `./passeport ARGS` from `cwd` with exactly `env`, as a person runs it. */
export function passeport(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(path.join(repo, 'passeport'), args, { cwd, env, timeout: 200_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `./passeport pki serve ARGS`, resolved once it says where it serves; the caller kills it. */
export async function startPkiServices(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ process: ChildProcess; output: () => string }> {
  const child = spawn(path.join(repo, 'passeport'), ['pki', 'serve', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pas de démarrage : ${output}`)), 100_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Adresse publique')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => reject(new Error(`arrêté : ${output}`)));
  });
  return { process: child, output: () => output };
}
