// Test helpers: a seeded random generator (OTTER_SEED overrides the default seed, as in the
// C++ tests) and random documents and ops whose result is computed code point by code point,
// independently of the code under test.
import { Operation } from "../../src/ot/index.js";

export const DEFAULT_SEED = 20241121;

export function seedFromEnv(): number {
  const text = process.env["OTTER_SEED"];
  return text ? Number.parseInt(text, 10) >>> 0 : DEFAULT_SEED;
}

/** A small, fast, seeded PRNG (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

// Code points of every width: ASCII, Latin-1, CJK, astral emoji, a combining mark, newline.
const ALPHABET = ["a", "b", "c", "x", " ", "\n", "é", "中", "文", "😀", "👍", "🦦", "\u0301", "𝄞"];

export function randomText(rng: Random, maxCodePoints: number): string {
  let s = "";
  const n = rng.int(0, maxCodePoints);
  for (let i = 0; i < n; i++) s += rng.pick(ALPHABET);
  return s;
}

/** A random op on `text` with the text it must produce, computed on arrays of code points. */
export function randomOp(rng: Random, text: string): { op: Operation; result: string } {
  const cps = [...text];
  const op = new Operation();
  const out: string[] = [];
  let i = 0;
  while (i < cps.length || rng.next() < 0.3) {
    const r = rng.next();
    if (r < 0.3) {
      const inserted = randomText(rng, 4);
      op.insert(inserted);
      out.push(inserted);
      if (i >= cps.length) break;
    } else if (i >= cps.length) {
      break;
    } else if (r < 0.6) {
      const n = rng.int(1, cps.length - i);
      op.erase(n);
      i += n;
    } else {
      const n = rng.int(1, cps.length - i);
      op.retain(n);
      out.push(...cps.slice(i, i + n));
      i += n;
    }
  }
  return { op, result: out.join("") };
}
