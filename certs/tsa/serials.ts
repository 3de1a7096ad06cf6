import type { Sql } from '../../db/connect.ts';

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
 * Reserves blocks of serials with one `UPDATE … RETURNING` and serves them from
 * memory, so the hot path reaches the database once every `blockSize` tokens.
 * Concurrent callers waiting on an exhausted block share one reservation.
 */
export function createSerialAllocator(sql: Sql, options: BlockAllocatorOptions = {}): SerialSource {
  const tsaName = options.tsaName ?? 'tsa';
  const blockSize = BigInt(options.blockSize ?? 1000);
  if (blockSize < 1n) throw new Error('blockSize must be positive');
  let next = 0n;
  let end = 0n;
  let pending: Promise<void> | null = null;

  async function reserve(): Promise<void> {
    const [row] = await sql<{ first: bigint }[]>`
      insert into tsa_serial_blocks (tsa_name, next_serial) values (${tsaName}, ${(1n + blockSize).toString()})
      on conflict (tsa_name) do update set next_serial = tsa_serial_blocks.next_serial + ${blockSize.toString()}
      returning next_serial - ${blockSize.toString()} as first`;
    next = BigInt(row!.first);
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
