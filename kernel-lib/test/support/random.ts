/** Seeded PRNG (mulberry32): the same seed gives the same test data on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A message whose first 4 bytes are its sequence number and the rest seeded noise. */
export function sequencedPayload(seq: number, size: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(Math.max(size, 4));
  new DataView(out.buffer).setUint32(0, seq);
  for (let i = 4; i < out.length; i++) out[i] = (rand() * 256) | 0;
  return out;
}

/** Reads back the sequence number written by {@link sequencedPayload}. */
export function sequenceOf(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}
