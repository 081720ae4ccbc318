// Shrinks a failing `ptsim check` case: the random program `random:S:E` is written out as its
// parts (workload.ts randomProgram), then delta debugging (Zeller & Hildebrandt, "Simplifying
// and isolating failure-inducing input", 2002: ddmin over the part list) removes parts while
// the case still breaks the same clause, and each remaining part's numbers are made smaller
// (to 1, halved, less one). Every trial is one law check; `budget` bounds them.
import { randomProgram } from '../uml/workload.ts';

export interface Shrunk {
  /** The smallest failing spec found (parts joined with +). */
  readonly spec: string;
  readonly parts: number;
  readonly trials: number;
}

/** `random:S:E` parts become their named parts; other parts stay as they are. */
export function expandSpec(spec: string): string[] {
  return spec.split('+').flatMap((p) => {
    const m = /^random:(\d+):(\d+)$/.exec(p.trim());
    return m ? randomProgram(Number(m[1]), Number(m[2])).split('+') : [p.trim()];
  });
}

/** Smaller variants of one part: each number to 1, to half, less one (sysemu/sysptmulti values are not sizes). */
function smallerParts(part: string): string[] {
  if (/^(sysemu|sysptmulti):/.test(part)) return [];
  const out: string[] = [];
  const nums = [...part.matchAll(/\d+/g)];
  for (const m of nums) {
    const n = Number(m[0]);
    for (const v of [1, Math.floor(n / 2), n - 1]) {
      if (v >= 1 && v < n) out.push(part.slice(0, m.index) + String(v) + part.slice(m.index! + m[0].length));
    }
  }
  return [...new Set(out)];
}

/** `fails(spec)` must be deterministic; it is called at most `budget` times. */
export function shrinkSpec(spec: string, fails: (spec: string) => boolean, budget = 200): Shrunk {
  let parts = expandSpec(spec);
  let trials = 0;
  const tryParts = (cand: string[]): boolean => {
    if (cand.length === 0 || trials >= budget) return false;
    trials++;
    return fails(cand.join('+'));
  };
  // ddmin: remove one of n chunks at a time; on success keep the rest, else refine.
  let n = 2;
  while (parts.length >= 2 && trials < budget) {
    const size = Math.ceil(parts.length / n);
    let reduced = false;
    for (let at = 0; at < parts.length; at += size) {
      const cand = [...parts.slice(0, at), ...parts.slice(at + size)];
      if (tryParts(cand)) {
        parts = cand;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      n = Math.min(n * 2, parts.length);
    }
  }
  // Smaller arguments, part by part, until nothing smaller fails.
  for (let progress = true; progress && trials < budget;) {
    progress = false;
    for (let i = 0; i < parts.length; i++) {
      for (const smaller of smallerParts(parts[i]!)) {
        const cand = [...parts.slice(0, i), smaller, ...parts.slice(i + 1)];
        if (tryParts(cand)) {
          parts = cand;
          progress = true;
          break;
        }
      }
    }
  }
  return { spec: parts.join('+'), parts: parts.length, trials };
}
