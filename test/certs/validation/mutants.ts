/** Deterministic damage for hostile-input tests. */
/** Deterministic PRNG (mulberry32): a failure replays identically. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bit flips, truncations, insertions and length-byte damage. */
export function* mutants(original: Uint8Array, count: number, seed: number): Generator<Uint8Array> {
  const rnd = random(seed);
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(original);
    const at = Math.floor(rnd() * bytes.length);
    switch (i % 4) {
      case 0:
        bytes[at]! ^= 1 << Math.floor(rnd() * 8);
        yield bytes;
        break;
      case 1:
        yield bytes.subarray(0, at);
        break;
      case 2:
        yield new Uint8Array([...bytes.subarray(0, at), Math.floor(rnd() * 256), ...bytes.subarray(at)]);
        break;
      default:
        bytes[at]! = [0x00, 0x80, 0x84, 0xff][Math.floor(rnd() * 4)]!;
        if (bytes[at] !== original[at]) yield bytes;
        else yield bytes.subarray(1);
    }
  }
}
