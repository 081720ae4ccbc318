// A workload as a JSON document (docs/workloads.md):
//   { "name": "mixed", "parts": [ { "kind": "getpid", "count": 1000 }, { "kind": "write", "count": 10, "bytes": 64 } ] }
// Every part is one named spec (workload.ts) with its arguments as fields; each field is
// checked here so an error names it (`parts[2].count: must be 1..1000000`), and the spec is
// then parsed by the same parser as `--workload`. The caller reads the file (nothing under
// src/uml reads files).
import { BACKGROUND_MAX } from './guest-background-program.ts';
import { COUNT_MAX, parseWorkload, WorkloadError, type Workload } from './workload.ts';
import { RANDOM_EVENTS_MAX, RANDOM_SEED_MAX } from './workload-random.ts';

type Field = readonly [min: number, max: number];

/** kind → its fields (in spec order) and how they make the spec. One line per kind. */
const KINDS: Record<string, { fields: Record<string, Field>; spec: (f: Record<string, number>) => string }> = {
  getpid: { fields: { count: [1, COUNT_MAX] }, spec: (f) => `getpid:${f.count}` },
  write: { fields: { count: [1, COUNT_MAX], bytes: [1, 4096] }, spec: (f) => `write:${f.count}x${f.bytes}` },
  touch: { fields: { bytes: [1, COUNT_MAX] }, spec: (f) => `touch:${f.bytes}` },
  spin: { fields: { count: [1, COUNT_MAX] }, spec: (f) => `spin:${f.count}` },
  sleep: { fields: { count: [1, COUNT_MAX] }, spec: (f) => `sleep:${f.count}` },
  sysemu: { fields: { value: [0, 9] }, spec: (f) => `sysemu:${f.value}` },
  sysptmulti: { fields: { value: [0, 9] }, spec: (f) => `sysptmulti:${f.value}` },
  fork: { fields: { count: [1, COUNT_MAX] }, spec: (f) => `fork:${f.count}` },
  exec: { fields: { count: [1, COUNT_MAX] }, spec: (f) => `exec:${f.count}` },
  background: { fields: { count: [1, BACKGROUND_MAX] }, spec: (f) => `background:${f.count}` },
  random: { fields: { seed: [0, RANDOM_SEED_MAX], events: [1, RANDOM_EVENTS_MAX] }, spec: (f) => `random:${f.seed}:${f.events}` },
};

const PARTS_MAX = 10_000;

/** The spec string a part object stands for, or a WorkloadError naming the bad field. */
function partSpec(x: unknown, at: string): string {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new WorkloadError(`${at}: expected an object like { "kind": "getpid", "count": 1000 }`);
  const o = x as Record<string, unknown>;
  if (typeof o.kind !== 'string') throw new WorkloadError(`${at}.kind: expected a string (one of ${Object.keys(KINDS).join(', ')})`);
  const kind = KINDS[o.kind];
  if (!kind) throw new WorkloadError(`${at}.kind: unknown kind ${JSON.stringify(o.kind)} (one of ${Object.keys(KINDS).join(', ')})`);
  const names = Object.keys(kind.fields);
  for (const key of Object.keys(o)) {
    if (key !== 'kind' && !names.includes(key)) throw new WorkloadError(`${at}.${key}: unknown field (${o.kind} takes ${names.join(', ')})`);
  }
  const f: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries(kind.fields)) {
    const v = o[name];
    if (v === undefined) throw new WorkloadError(`${at}.${name}: missing (${o.kind} takes ${names.join(', ')})`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new WorkloadError(`${at}.${name}: must be ${min}..${max}, got ${JSON.stringify(v)}`);
    f[name] = v;
  }
  const spec = kind.spec(f);
  try {
    parseWorkload(spec); // the model's own checks (e.g. kinds not modelled yet)
  } catch (e) {
    if (e instanceof WorkloadError) throw new WorkloadError(`${at}: ${e.message.replace(/^workload part 1 /, '')}`);
    throw e;
  }
  return spec;
}

/** Parse a workload document; `where` prefixes every error (the file name). */
export function parseWorkloadJson(text: string, where = 'workload'): Workload {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new WorkloadError(`${where}: not JSON: ${(e as Error).message}`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new WorkloadError(`${where}: expected an object { "name": …, "parts": [ … ] }`);
  const o = j as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'name' && key !== 'parts') throw new WorkloadError(`${where}: ${key}: unknown field (a workload has name, parts)`);
  if (typeof o.name !== 'string' || o.name.length === 0) throw new WorkloadError(`${where}: name: expected a non-empty string`);
  if (!Array.isArray(o.parts) || o.parts.length === 0 || o.parts.length > PARTS_MAX) throw new WorkloadError(`${where}: parts: expected an array of 1..${PARTS_MAX} parts`);
  const specs = o.parts.map((p, i) => {
    try {
      return partSpec(p, `parts[${i}]`);
    } catch (e) {
      if (e instanceof WorkloadError) throw new WorkloadError(`${where}: ${e.message}`);
      throw e;
    }
  });
  const spec = specs.join('+');
  return { ...parseWorkload(spec), name: o.name };
}
