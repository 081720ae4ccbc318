// Batching policies, as data. A policy says which legal runs (legality.ts) become one
// PTRACE_MULTI call; legality is never a policy's choice. A policy FILE is JSON of the same
// shape as SEED and FULL below, checked by validatePolicy with field-level errors.
import { parseRequest, requestName } from '../ptrace/numbers.ts';
import { STANDALONE } from './legality.ts';

export interface PolicyData {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  /** 'pairs': only listed adjacent pairs merge; 'runs': every legal maximal run merges. */
  readonly merge: 'pairs' | 'runs';
  /** merge = 'pairs': a call whose request is in `first` merges with the next if its request is in `second`. */
  readonly pairs: readonly { readonly first: readonly string[]; readonly second: readonly string[] }[];
  /** merge = 'runs': requests that may join a batch; null = every request legal in PTRACE_MULTI. */
  readonly requests: readonly string[] | null;
  /** Longest batch (entries); 0 = no limit. */
  readonly maxBatch: number;
}

const SEED_RESUMES = ['PTRACE_CONT', 'PTRACE_SYSCALL', 'PTRACE_SYSEMU', 'PTRACE_SINGLESTEP', 'PTRACE_SYSEMU_SINGLESTEP'];

/** Exactly the seed's three call sites (ptrace-multi.md §6): SETREGS followed by the resume, one tracee. */
export const SEED: PolicyData = {
  name: 'seed',
  description: 'the 2008 UML patch: SETREGS + resume (do_syscall_stub, userspace, copy_context_skas0) as one PTRACE_MULTI of 2',
  source: 'ptrace-multi.md §6 ([PATCH 2/2] ptrace_multi, 16 Jun 2008); userspace() resumes with SELECT_PTRACE_OPERATION (SYSCALL, SINGLESTEP, SYSEMU, SYSEMU_SINGLESTEP), the stub paths with CONT',
  merge: 'pairs',
  pairs: [{ first: ['PTRACE_SETREGS'], second: SEED_RESUMES }],
  requests: null,
  maxBatch: 2,
};

/** Every legal maximal run of ptrace requests on one tracee. */
export const FULL: PolicyData = {
  name: 'full',
  description: 'every legal maximal run of ptrace requests by one caller on one tracee becomes one PTRACE_MULTI',
  source: 'legality.ts rules R1–R8 (ptrace-multi.md §7)',
  merge: 'runs',
  pairs: [],
  requests: null,
  maxBatch: 0,
};

export const BUILTIN_POLICIES: Readonly<Record<string, PolicyData>> = { seed: SEED, full: FULL };

/** A validated policy with request names resolved to numbers. */
export interface Policy {
  readonly data: PolicyData;
  readonly pairs: readonly { first: ReadonlySet<number>; second: ReadonlySet<number> }[];
  readonly requests: ReadonlySet<number> | null;
}

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const FIELDS = ['name', 'description', 'source', 'merge', 'pairs', 'requests', 'maxBatch'];

function requestList(v: unknown, path: string, problems: string[]): number[] {
  if (!Array.isArray(v)) {
    problems.push(`${path}: expected an array of ptrace request names`);
    return [];
  }
  const out: number[] = [];
  v.forEach((x, i) => {
    const nr = typeof x === 'string' ? parseRequest(x) : undefined;
    if (nr === undefined) problems.push(`${path}[${i}]: unknown ptrace request ${JSON.stringify(x)}`);
    else if (STANDALONE.has(nr)) problems.push(`${path}[${i}]: ${requestName(nr)} cannot run inside PTRACE_MULTI (legality rule R7)`);
    else out.push(nr);
  });
  return out;
}

/** Check a parsed policy JSON; every problem names its field (`policy.pairs[0].second[2]: …`). */
export function validatePolicy(v: unknown): Policy {
  const problems: string[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PolicyError(['policy: expected a JSON object']);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) problems.push(`policy.${k}: unknown field (expected ${FIELDS.join(', ')})`);
  for (const k of ['name', 'description', 'source']) {
    if (typeof o[k] !== 'string' || (o[k] as string).trim() === '') problems.push(`policy.${k}: expected a non-empty string`);
  }
  if (o.merge !== 'pairs' && o.merge !== 'runs') problems.push(`policy.merge: expected "pairs" or "runs", got ${JSON.stringify(o.merge)}`);
  const pairs: { first: Set<number>; second: Set<number> }[] = [];
  if (!Array.isArray(o.pairs)) problems.push('policy.pairs: expected an array (may be empty)');
  else {
    o.pairs.forEach((p, i) => {
      if (typeof p !== 'object' || p === null) return void problems.push(`policy.pairs[${i}]: expected { "first": [...], "second": [...] }`);
      const q = p as Record<string, unknown>;
      for (const k of Object.keys(q)) if (k !== 'first' && k !== 'second') problems.push(`policy.pairs[${i}].${k}: unknown field`);
      pairs.push({ first: new Set(requestList(q.first, `policy.pairs[${i}].first`, problems)), second: new Set(requestList(q.second, `policy.pairs[${i}].second`, problems)) });
    });
    if (o.merge === 'pairs' && o.pairs.length === 0) problems.push('policy.pairs: merge "pairs" needs at least one pair');
  }
  let requests: Set<number> | null = null;
  if (o.requests !== null) {
    if (o.requests === undefined) problems.push('policy.requests: expected an array of request names or null');
    else requests = new Set(requestList(o.requests, 'policy.requests', problems));
  }
  if (typeof o.maxBatch !== 'number' || !Number.isInteger(o.maxBatch) || o.maxBatch < 0 || o.maxBatch === 1) {
    problems.push(`policy.maxBatch: expected 0 (no limit) or an integer ≥ 2, got ${JSON.stringify(o.maxBatch)}`);
  }
  if (problems.length > 0) throw new PolicyError(problems);
  return { data: o as unknown as PolicyData, pairs, requests };
}

/**
 * Split one legal run into batches under the policy. Each inner array is one host call: a
 * single request as itself, k ≥ 2 requests as one PTRACE_MULTI. Concatenating the result
 * gives the run back unchanged (no reordering).
 */
export function groupRun<T extends { entry: { ptrace?: { request: number } } }>(run: readonly T[], policy: Policy): T[][] {
  const out: T[][] = [];
  const max = policy.data.maxBatch === 0 ? Infinity : policy.data.maxBatch;
  const req = (c: T): number => c.entry.ptrace!.request;
  if (policy.data.merge === 'pairs') {
    for (let i = 0; i < run.length; i++) {
      const a = run[i]!;
      const b = run[i + 1];
      if (b && max >= 2 && policy.pairs.some((p) => p.first.has(req(a)) && p.second.has(req(b)))) {
        out.push([a, b]);
        i++;
      } else out.push([a]);
    }
    return out;
  }
  let cur: T[] = [];
  for (const c of run) {
    if (policy.requests && !policy.requests.has(req(c))) {
      if (cur.length) out.push(cur);
      out.push([c]);
      cur = [];
      continue;
    }
    if (cur.length >= max) {
      out.push(cur);
      cur = [];
    }
    cur.push(c);
  }
  if (cur.length) out.push(cur);
  return out;
}
