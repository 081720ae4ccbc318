// `random:SEED:EVENTS`: a generated guest program of EVENTS workload parts, each drawn from
// the kinds below with its own small arguments, by a PRNG seeded with SEED (mulberry32; no
// Math.random, no clock). The same spec always gives the same program, on the same code.
//
// A kind takes part only if its sample spec parses (checked at run time), so a kind the UML
// model does not run yet (fork, exec until they land) is skipped, and adding one is one line
// in KINDS. The program's parts are ordinary named specs, parsed by the same parser.

/** A small, fast, seedable PRNG (mulberry32: 32-bit state, period 2^32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

interface RandomKind {
  readonly name: string;
  readonly weight: number;
  readonly spec: (r: Rng) => string;
}

/** Every event kind a generated program may contain: one line each. */
const KINDS: readonly RandomKind[] = [
  { name: 'getpid', weight: 4, spec: (r) => `getpid:${r.int(1, 8)}` },
  { name: 'write', weight: 3, spec: (r) => `write:${r.int(1, 3)}x${r.int(1, 200)}` },
  { name: 'touch', weight: 2, spec: (r) => `touch:${r.int(1, 3 * 4096)}` },
  { name: 'spin', weight: 2, spec: (r) => `spin:${r.int(50, 1500)}` },
  { name: 'sleep', weight: 1, spec: (r) => `sleep:${r.int(1, 2)}` },
  { name: 'sysptmulti', weight: 1, spec: (r) => `sysptmulti:${r.int(0, 1)}` },
  { name: 'fork', weight: 1, spec: (r) => `fork:${r.int(1, 2)}` },
  { name: 'exec', weight: 1, spec: (r) => `exec:${r.int(1, 2)}` },
];

export const RANDOM_EVENTS_MAX = 1000;
export const RANDOM_SEED_MAX = 0xffffffff;

/** The kinds whose sample spec `parses` accepts (the ones the model runs today). */
export function randomKinds(parses: (spec: string) => boolean): string[] {
  return KINDS.filter((k) => parses(k.spec(new Rng(0)))).map((k) => k.name);
}

/** The part specs of `random:seed:events`, in program order. */
export function randomSpecs(seed: number, events: number, parses: (spec: string) => boolean): string[] {
  const kinds = KINDS.filter((k) => parses(k.spec(new Rng(0))));
  const total = kinds.reduce((n, k) => n + k.weight, 0);
  const r = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < events; i++) {
    let pick = r.int(0, total - 1);
    const kind = kinds.find((k) => (pick -= k.weight) < 0)!;
    out.push(kind.spec(r));
  }
  return out;
}
