/**
 * A small seeded pseudo-random generator (mulberry32), so test data and chunk sizes are random
 * yet the same on every run: a failure can be replayed with the seed it names.
 */

/** A deterministic random source. */
export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/**
 * A generator for `seed` (any 32-bit integer).
 *
 * @example
 * const random = createRandom(42);
 * random.int(1, 6); // the same on every run
 */
export function createRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    bytes(length) {
      const out = new Uint8Array(length);
      // Four bytes from each 32-bit draw: test streams run to megabytes.
      for (let i = 0; i < length; i += 4) {
        let word = Math.floor(next() * 4294967296);
        for (let j = i; j < Math.min(i + 4, length); j++, word >>>= 8) out[j] = word & 0xff;
      }
      return out;
    },
  };
}
