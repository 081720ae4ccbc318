// Batching policies as data. UML's code issues runs of ptrace requests on one tracee from a
// named call site; a policy says which runs become one PTRACE_MULTI call in multi mode.
//  * seed: exactly the seed's three sites, exactly its pairs (ptrace-multi.md §6):
//    userspace (SETREGS + the resume op), do_syscall_stub (SETREGS + CONT),
//    copy_context_skas0 (SETREGS + CONT). On uml-6.1 the SETREGSET between SETREGS and the
//    resume breaks the userspace and copy_context pairs, so only stub runs merge.
//  * full: every run of two or more requests on one tracee, at every site.
// A policy file is JSON of the same shape: { "name": "...", "rules": [ { "site": "userspace",
// "requests": ["SETREGS", "RESUME"] } ] } where "*" matches any site / any run and RESUME
// matches any resume request.
import { parseRequest, PTRACE } from '../ptrace/numbers.ts';

export type Site = 'userspace' | 'userspace-fetch' | 'do_syscall_stub' | 'copy_context_skas0' | 'fault' | 'switch' | 'teardown' | 'handle_trap';

export interface PolicyRule {
  readonly site: string;
  /** Request names in order, 'RESUME' for any resume request, or '*' for any run of ≥ 2. */
  readonly requests: readonly string[] | '*';
}

export interface Policy {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
}

export const SEED_POLICY: Policy = {
  name: 'seed',
  rules: [
    { site: 'userspace', requests: ['SETREGS', 'RESUME'] },
    { site: 'do_syscall_stub', requests: ['SETREGS', 'CONT'] },
    { site: 'copy_context_skas0', requests: ['SETREGS', 'CONT'] },
  ],
};

export const FULL_POLICY: Policy = { name: 'full', rules: [{ site: '*', requests: '*' }] };

const RESUMES = new Set<number>([PTRACE.CONT, PTRACE.SYSCALL, PTRACE.SYSEMU, PTRACE.SYSEMU_SINGLESTEP, PTRACE.SINGLESTEP]);

function matches(pattern: string, request: number): boolean {
  if (pattern === 'RESUME') return RESUMES.has(request);
  return parseRequest(pattern) === request;
}

/**
 * Split a run of requests into groups: each group of ≥ 2 becomes one PTRACE_MULTI, each
 * single one a plain call. Returns group sizes in order.
 */
export function groupRun(policy: Policy, site: string, requests: readonly number[]): number[] {
  const groups: number[] = [];
  let i = 0;
  while (i < requests.length) {
    let taken = 1;
    for (const rule of policy.rules) {
      if (rule.site !== '*' && rule.site !== site) continue;
      if (rule.requests === '*') {
        taken = Math.max(taken, requests.length - i);
        continue;
      }
      const pat = rule.requests;
      if (i + pat.length <= requests.length && pat.every((p, j) => matches(p, requests[i + j]!))) taken = Math.max(taken, pat.length);
    }
    groups.push(taken);
    i += taken;
  }
  return groups;
}

export class PolicyError extends Error {}

export function parsePolicy(text: string, where = 'policy'): Policy {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`${where}: not JSON: ${(e as Error).message}`);
  }
  const o = j as { name?: unknown; rules?: unknown };
  if (typeof o?.name !== 'string') throw new PolicyError(`${where}.name: expected a string`);
  if (!Array.isArray(o.rules)) throw new PolicyError(`${where}.rules: expected an array`);
  const rules = o.rules.map((r: unknown, i: number): PolicyRule => {
    const rr = r as { site?: unknown; requests?: unknown };
    if (typeof rr?.site !== 'string') throw new PolicyError(`${where}.rules[${i}].site: expected a string`);
    if (rr.requests === '*') return { site: rr.site, requests: '*' };
    if (!Array.isArray(rr.requests) || rr.requests.length < 2) throw new PolicyError(`${where}.rules[${i}].requests: expected "*" or an array of at least 2 request names`);
    rr.requests.forEach((q: unknown, k: number) => {
      if (typeof q !== 'string' || (q !== 'RESUME' && parseRequest(q) === undefined)) throw new PolicyError(`${where}.rules[${i}].requests[${k}]: unknown request ${JSON.stringify(q)}`);
    });
    return { site: rr.site, requests: rr.requests as string[] };
  });
  return { name: o.name, rules };
}
