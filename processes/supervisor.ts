/**
 * Keeps the engine's parts running: each service is launched in order; one
 * that dies unexpectedly is launched again after a growing pause (1 s, 2 s,
 * 4 s … 30 s; back to 1 s once it has run a minute), and the log says so.
 * `stopAll()` stops them in reverse order, each within its own bound.
 */
import type { Logger } from 'pino';

export interface RunningService {
  pid: number;
  /** Resolves with a description of how it ended ('code 1', 'signal SIGKILL'). */
  exited: Promise<string>;
  /** Stops it within a bounded time (the service's own grace, then SIGKILL). */
  stop(): Promise<void>;
}

export interface ServiceSpec {
  /** Short name, for the log and pid files: 'worker', 'api', 'temporal', 'postgres'. */
  name: string;
  /** French, for people: « le worker ». */
  label: string;
  launch(): Promise<RunningService>;
  /** Called after each (re)launch: pid files, banner data. */
  onLaunched?(service: RunningService, restart: boolean): void;
}

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
const STABLE_AFTER_MS = 60_000;

interface Supervised {
  spec: ServiceSpec;
  current: RunningService | null;
  attempt: number;
  /** Wakes a pending restart so that stopAll does not wait for it. */
  cancelWait: () => void;
  watching: Promise<void>;
}

export class Supervisor {
  private readonly services: Supervised[] = [];
  private stopping = false;

  constructor(private readonly logger: Logger) {}

  /** Launches a service (its first launch failing is the caller's error) and supervises it from then on. */
  async add(spec: ServiceSpec): Promise<RunningService> {
    const current = await spec.launch();
    spec.onLaunched?.(current, false);
    const entry: Supervised = { spec, current, attempt: 0, cancelWait: () => {}, watching: Promise.resolve() };
    entry.watching = this.watch(entry, Date.now());
    this.services.push(entry);
    return current;
  }

  current(name: string): RunningService | null {
    return this.services.find((s) => s.spec.name === name)?.current ?? null;
  }

  private async watch(entry: Supervised, launchedAt: number): Promise<void> {
    let since = launchedAt;
    for (;;) {
      const running = entry.current;
      if (!running) return;
      const how = await running.exited;
      entry.current = null;
      if (this.stopping) return;
      if (Date.now() - since >= STABLE_AFTER_MS) entry.attempt = 0;
      for (;;) {
        const delay = BACKOFF_MS[Math.min(entry.attempt, BACKOFF_MS.length - 1)] ?? 30_000;
        entry.attempt++;
        this.logger.warn(
          { service: entry.spec.name, childPid: running.pid, exit: how, attempt: entry.attempt, restartInMs: delay },
          `${capitalise(entry.spec.label)} s’est arrêté de façon inattendue (${how}) : redémarrage dans ${delay / 1000} s (tentative ${entry.attempt}).`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          entry.cancelWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.stopping) return;
        try {
          entry.current = await entry.spec.launch();
          since = Date.now();
          entry.spec.onLaunched?.(entry.current, true);
          this.logger.warn({ service: entry.spec.name, childPid: entry.current.pid }, `${capitalise(entry.spec.label)} a redémarré (pid ${entry.current.pid}).`);
          break;
        } catch (error) {
          this.logger.error({ service: entry.spec.name, err: error }, `${capitalise(entry.spec.label)} n’a pas pu redémarrer.`);
        }
      }
      // A restart that raced with stopAll is stopped here.
      if (this.stopping) {
        await entry.current?.stop();
        return;
      }
    }
  }

  /** Stops every service, last launched first; true when all stopped cleanly. */
  async stopAll(): Promise<boolean> {
    this.stopping = true;
    let clean = true;
    for (const entry of [...this.services].reverse()) {
      entry.cancelWait();
      try {
        await entry.current?.stop();
      } catch (error) {
        clean = false;
        this.logger.error({ service: entry.spec.name, err: error }, `arrêt incomplet : ${entry.spec.label}`);
      }
      await entry.watching;
    }
    return clean;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
