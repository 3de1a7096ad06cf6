/**
 * How one part of the engine (the worker, the API) lives as its own process,
 * alone (`passeport worker`, `passeport api`) or under `passeport start`:
 * it stops on SIGINT, SIGTERM or when its supervisor's channel closes (the
 * supervisor died), always within a bounded time; a stray rejected promise is
 * logged as an error, never the end of the process.
 */
import type { Logger } from 'pino';

export interface Part {
  /** Resolves with the reason once the part must stop. */
  stopRequested: Promise<string>;
  /** Tells the supervisor, if any, that the part serves (with what it needs to know). */
  ready(info?: Record<string, unknown>): void;
}

export function runAsPart(name: string, logger: Logger, hardStopMs = 15_000): Part {
  let resolveStop: (why: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => (resolveStop = resolve));
  let requested = false;
  const request = (why: string) => {
    if (requested) return;
    requested = true;
    resolveStop(why);
    // Whatever the shutdown waits for (a stuck activity, an unreachable server), the process ends.
    setTimeout(() => {
      logger.error({ part: name }, `arrêt forcé de ${name} : l’arrêt propre a dépassé ${hardStopMs / 1000} s`);
      process.exit(1);
    }, hardStopMs).unref();
  };
  process.on('SIGINT', () => request('SIGINT'));
  process.on('SIGTERM', () => request('SIGTERM'));
  if (process.send) process.on('disconnect', () => request('superviseur disparu'));
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason, part: name }, 'promesse rejetée sans traitement (le processus continue)');
  });
  return {
    stopRequested,
    ready(info = {}) {
      process.send?.({ type: 'ready', ...info });
    },
  };
}
