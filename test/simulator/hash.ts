// Small, fast, seeded hashing so that any value of the data set (a host, a posture's status on
// a given day) can be computed on its own in O(1), with no state carried between records.

/** Mixes a list of integers into one unsigned 32-bit hash (murmur3 finalizer per step). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Returns a number in [0, 1) derived from the parts. */
export function unit(...parts: number[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** Returns an integer in [0, n) derived from the parts. */
export function pick(n: number, ...parts: number[]): number {
  return Math.floor(unit(...parts) * n);
}

/** Modulo that stays non-negative for negative days. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Salts that keep the independent hash streams of the data set apart. */
export const Salt = {
  host: 1,
  hostName: 2,
  hostCloud: 3,
  hostDb: 4,
  hostTech: 5,
  hostTracking: 6,
  policyMember: 7,
  policyControls: 8,
  statusBase: 9,
  statusAlt: 10,
  statusPhase: 11,
  evidencePhase: 12,
  evidenceValue: 13,
  exception: 14,
  exceptionDay: 15,
  nullDate: 16,
  nulByte: 17,
  stringIds: 18,
  scanTime: 19,
  inactive: 20,
} as const;
