import type { PkiStore } from '../stores.ts';
import { PkiError } from '../errors.ts';

/** Hands out strictly increasing, never reused serial numbers. */
export interface SerialSource {
  next(): Promise<bigint>;
}

export interface BlockAllocatorOptions {
  /** Several authorities may share a database; each counts on its own. */
  tsaName?: string;
  /** Serials reserved per database round trip; unused ones are skipped after a restart. */
  blockSize?: number;
}

/**
 * Reserves blocks of serials from the store (one round trip) and serves them from
 * memory, so the hot path reaches the database once every `blockSize` tokens.
 * Concurrent callers waiting on an exhausted block share one reservation.
 */
export function createSerialAllocator(store: Pick<PkiStore, 'reserveTsaSerials'>, options: BlockAllocatorOptions = {}): SerialSource {
  const tsaName = options.tsaName ?? 'tsa';
  const blockSize = BigInt(options.blockSize ?? 1000);
  if (blockSize < 1n) throw new PkiError('INVALID_SERIAL_BLOCK', 'Les numéros de série se réservent par blocs d’au moins un.');
  let next = 0n;
  let end = 0n;
  let pending: Promise<void> | null = null;

  async function reserve(): Promise<void> {
    next = await store.reserveTsaSerials(tsaName, blockSize);
    end = next + blockSize;
  }

  return {
    async next() {
      while (next >= end) {
        pending ??= reserve().finally(() => {
          pending = null;
        });
        await pending;
      }
      return next++;
    },
  };
}
