/**
 * The engine's default database: a private PostgreSQL cluster under
 * DATA_DIR/postgres, made with Debian's own binaries (/usr/lib/postgresql/N/bin,
 * the `postgresql` package, kept current by apt's security updates), reached on
 * 127.0.0.1 with a password generated at creation (scram-sha-256), no Unix
 * socket. As root it runs as the `postgres` system user, since PostgreSQL
 * refuses root. `passeport start`, the CLI commands and the test suite all
 * start it through this module: what users run is what the tests run.
 *
 * DATA_DIR/postgres/
 *   data/        the cluster (PGDATA)
 *   password     the generated password (mode 0600, the server's user's)
 *   owner.json   which live process started the server, and its port
 *   server.log   the server's own log
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { spawnChild, type Child, type ChildExit } from '../processes/child.ts';
import { freePort } from '../processes/free-port.ts';
import { commandLineOf, identityOf, isAlive, ownIdentity, readPidFile, stopProcess, writePidFile, type ProcessIdentity } from '../processes/identity.ts';
import { PasseportError } from '../errors/index.ts';

export const EMBEDDED_USER = 'passeport';
export const EMBEDDED_DATABASE = 'passeport';
const SYSTEM_USER = 'postgres';

/** Why the embedded database cannot start; `message` is French, for the person at the terminal. */
export class EmbeddedPostgresError extends PasseportError<'not_installed' | 'version_mismatch' | 'no_system_user' | 'not_accessible' | 'start_failed' | 'in_use'> {}

export interface EmbeddedPostgres {
  /** postgres://passeport:<password>@127.0.0.1:<port>/passeport — holds the password: never log it. */
  url: string;
  port: number;
  pid: number;
  directory: string;
  exited: Promise<ChildExit>;
  /** Fast shutdown (open transactions roll back), then harder signals past their grace time. */
  stop(): Promise<void>;
  /** SIGKILL: for crash tests. */
  kill(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** DATA_DIR: the cluster lives in DATA_DIR/postgres. */
  dataDir: string;
  /** 0 or absent: a free port. A restarted server keeps its port so its clients' URL stays right. */
  port?: number;
  /** Called with a French sentence when a server of an earlier run is found and stopped. */
  onNotice?: (message: string) => void;
  readyTimeoutMs?: number;
}

interface OwnerFile {
  port: number;
  postmasterPid: number;
}

export function embeddedDirectory(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'postgres');
}

/** The highest PostgreSQL version Debian installed. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'postgres')))
        .map(Number)
    : [];
  if (versions.length === 0) {
    throw new EmbeddedPostgresError(
      'not_installed',
      'PostgreSQL n’est pas installé (paquet Debian « postgresql ») : lancez « ./passeport start », qui l’installe, ou « apt-get install postgresql », ou donnez DATABASE_URL.',
    );
  }
  return path.join(root, String(Math.max(...versions)), 'bin');
}

/** A cluster already running under DATA_DIR: its URL and whether the process that started it is still alive. */
export function runningEmbeddedPostgres(dataDir: string): { url: string; postmasterPid: number; owner: ProcessIdentity | null; ownerAlive: boolean } | null {
  const dir = embeddedDirectory(dataDir);
  const postmasterPid = readPostmasterPid(dir);
  if (postmasterPid === null) return null;
  const owner = readPidFile<OwnerFile>(path.join(dir, 'owner.json'));
  const port = owner?.postmasterPid === postmasterPid ? owner.port : readPostmasterPort(dir);
  const password = readPassword(dir);
  if (port === null || password === null) return null;
  return { url: urlOf(port, password), postmasterPid, owner, ownerAlive: owner?.postmasterPid === postmasterPid && isAlive(owner) };
}

/**
 * Starts the cluster (creating it the first time). A server of an earlier run
 * whose starter is gone is stopped first, and said so; one whose starter is
 * alive belongs to that process, and starting a second is refused.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const bin = postgresBinDir();
  const dir = embeddedDirectory(options.dataDir);
  const user = process.getuid?.() === 0 ? SYSTEM_USER : null;
  if (user) checkSystemUser(user);
  prepareDirectory(dir, user);

  const running = runningEmbeddedPostgres(options.dataDir);
  if (running?.ownerAlive) {
    throw new EmbeddedPostgresError(
      'in_use',
      `La base de données de ${options.dataDir} est déjà démarrée par un autre processus Passeport (pid ${running.owner?.pid}) : arrêtez-le d’abord, ou utilisez un autre DATA_DIR.`,
    );
  }
  const stale = readPostmasterPid(dir);
  if (stale !== null) {
    const identity = identityOf(stale);
    if (identity) {
      options.onNotice?.(`Une base de données d’une exécution précédente tournait encore sous ${dir} (pid ${stale}) : elle est arrêtée.`);
      await stopProcess(identity, 'SIGINT', 20_000);
    }
  }

  const password = ensureCluster(bin, dir, user);
  const port = options.port || (await freePort());
  const logFile = path.join(dir, 'server.log');
  const logFd = fs.openSync(logFile, 'a', 0o600);
  const child = spawnChild({
    name: 'postgres',
    command: path.join(bin, 'postgres'),
    args: [
      '-D',
      path.join(dir, 'data'),
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'log_min_messages=warning',
      '-c',
      'log_line_prefix=%m [%p] ',
    ],
    // Fast shutdown when we die: transactions roll back, the next start needs no recovery.
    parentDeathSignal: 'INT',
    user,
    // The server's own log stays beside it (the supervisor's output is for the engine's log).
    stdio: ['ignore', 'ignore', logFd],
  });
  fs.closeSync(logFd);
  const url = urlOf(port, password);
  try {
    await waitUntilReady(url, path.join(dir, 'data'), child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await child.kill();
    throw new EmbeddedPostgresError(
      'start_failed',
      `La base de données intégrée n’a pas démarré (${(error as Error).message}) ; fin de son journal (${logFile}) :\n${tail(logFile)}`,
    );
  }
  writePidFile(path.join(dir, 'owner.json'), { ...ownIdentity(), port, postmasterPid: child.pid });
  void child.exited.then(() => removeOwnerFile(dir, child.pid));
  return {
    url,
    port,
    pid: child.pid,
    directory: dir,
    exited: child.exited,
    async stop() {
      await stopPostmaster(child);
      removeOwnerFile(dir, child.pid);
    },
    async kill() {
      await child.kill();
    },
  };
}

/** SIGINT (fast shutdown), then SIGQUIT (immediate), then SIGKILL: bounded in all cases. */
async function stopPostmaster(child: Child): Promise<void> {
  if (!child.running()) return;
  const immediate = setTimeout(() => child.process.kill('SIGQUIT'), 20_000);
  await child.stop('SIGINT', 30_000);
  clearTimeout(immediate);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}

function removeOwnerFile(dir: string, postmasterPid: number): void {
  const file = path.join(dir, 'owner.json');
  if (readPidFile<OwnerFile>(file)?.postmasterPid === postmasterPid) fs.rmSync(file, { force: true });
}

function urlOf(port: number, password: string): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

function readPassword(dir: string): string | null {
  try {
    return fs.readFileSync(path.join(dir, 'password'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** postmaster.pid: line 1 the pid, line 4 the port; null when absent or the pid is gone. */
function readPostmasterPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !identityOf(pid)) return null;
    return /postgres/.test(commandLineOf(pid)) ? pid : null;
  } catch {
    return null;
  }
}

function readPostmasterPort(dir: string): number | null {
  try {
    const port = Number(fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[3]);
    return Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null;
  }
}

function checkSystemUser(user: string): void {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8');
  if (!passwd.split('\n').some((line) => line.startsWith(`${user}:`))) {
    throw new EmbeddedPostgresError(
      'no_system_user',
      `PostgreSQL refuse de tourner en root et l’utilisateur système « ${user} » n’existe pas : installez le paquet postgresql (qui le crée) ou lancez Passeport sous un utilisateur non privilégié.`,
    );
  }
}

/** DATA_DIR/postgres, private to the server's user; the password file stays ours. */
function prepareDirectory(dir: string, user: string | null): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!user) return;
  const { uid, gid } = userIds(user);
  fs.chownSync(dir, uid, gid);
  fs.chmodSync(dir, 0o700);
  // The server's user must be able to reach its directory through every parent.
  if (runAs(user, ['test', '-x', dir, '-a', '-w', dir]).status !== 0) {
    throw new EmbeddedPostgresError(
      'not_accessible',
      `L’utilisateur système « ${user} », sous lequel tourne PostgreSQL, ne peut pas atteindre ${dir} : un dossier parent lui est fermé ` +
        `(${firstClosedParent(dir) ?? 'droits'}). Choisissez un DATA_DIR qu’il peut traverser (par exemple sous /var/lib/passeport) ou lancez Passeport sous un utilisateur non privilégié.`,
    );
  }
}

function firstClosedParent(dir: string): string | null {
  let current = path.dirname(dir);
  const closed: string[] = [];
  while (current !== path.dirname(current)) {
    const mode = fs.statSync(current).mode;
    if ((mode & 0o001) === 0) closed.push(current);
    current = path.dirname(current);
  }
  return closed.at(-1) ?? null;
}

function userIds(user: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a command to its end as `user` (or as ourselves). */
function runAs(user: string | null, command: string[]): { status: number; output: string } {
  const args = [...(user ? ['--reuid', user, '--regid', user, '--init-groups'] : []), '--', ...command];
  const r = spawnSync('setpriv', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Creates the cluster on first use (initdb with a generated password); returns the password. */
function ensureCluster(bin: string, dir: string, user: string | null): string {
  const data = path.join(dir, 'data');
  const versionFile = path.join(data, 'PG_VERSION');
  if (fs.existsSync(versionFile)) {
    const clusterVersion = fs.readFileSync(versionFile, 'utf8').trim();
    const binVersion = path.basename(path.dirname(bin));
    if (clusterVersion !== binVersion) {
      throw new EmbeddedPostgresError(
        'version_mismatch',
        `La base de données de ${dir} a été créée par PostgreSQL ${clusterVersion}, mais c’est PostgreSQL ${binVersion} qui est installé : ` +
          `installez postgresql-${clusterVersion}, ou migrez-la (pg_upgrade), ou partez d’un DATA_DIR neuf.`,
      );
    }
    const password = readPassword(dir);
    if (password === null) {
      throw new EmbeddedPostgresError('start_failed', `Le mot de passe de la base intégrée (${path.join(dir, 'password')}) a disparu : restaurez-le depuis votre sauvegarde.`);
    }
    return password;
  }
  fs.rmSync(data, { recursive: true, force: true });
  const password = crypto.randomBytes(24).toString('base64url');
  const passwordFile = path.join(dir, 'password');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  // The server's user reads it once, in its own private directory (root reads it anyway).
  if (user) fs.chownSync(passwordFile, userIds(user).uid, userIds(user).gid);
  const init = runAs(user, [
    path.join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    EMBEDDED_USER,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-instructions',
  ]);
  if (init.status !== 0) {
    fs.rmSync(data, { recursive: true, force: true });
    throw new EmbeddedPostgresError('start_failed', `La création de la base de données intégrée a échoué :\n${init.output.trim()}`);
  }
  return password;
}

/**
 * Waits for the server to say it accepts connections (postmaster.pid's status line) before
 * connecting: a connection while it starts up is refused with a FATAL line in its log.
 */
async function waitUntilReady(url: string, data: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!child.running()) throw new Error('le serveur s’est arrêté au démarrage');
    if (!announcesReady(data)) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const admin = postgres(url.replace(/\/[^/]*$/, '/postgres'), { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await admin`select 1`;
      const [exists] = await admin`select 1 from pg_database where datname = ${EMBEDDED_DATABASE}`;
      if (!exists) await admin.unsafe(`create database ${EMBEDDED_DATABASE}`);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.end({ timeout: 1 });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pas de réponse en ${timeoutMs} ms : ${(lastError as Error | undefined)?.message ?? 'le serveur ne s’est pas déclaré prêt'}`);
}

/** postmaster.pid's 8th line is the server's status: « starting », then « ready » once it accepts connections. */
function announcesReady(data: string): boolean {
  try {
    return fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}
