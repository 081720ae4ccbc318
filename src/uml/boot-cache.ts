// Boot once, run many (issue 9: "a copy-on-write fork() of a whole simulation ... for the
// single/multi laws and equivalence runs"). What UML's start-up leaves behind — the host
// kernel after the probes (start-up.ts), physmem and the stub scratch (guest-mm.ts,
// start-userspace.ts) and the usermode helpers (usermode-helper.ts) — depends only on the
// profile, the host kernel (stock or PTRACE_MULTI), the boot switches, the clock settings and
// (only if start-up draws from it) the scheduler seed, never on the workload or the policy
// (start-up runs in single mode). So
// runUml keeps that state per key and forks it for the next run with the same key: the kernel
// copy-on-write (Kernel.clone), the tracer's labels and physmem's counters copied. A fork is
// the state a fresh boot reaches (test/uml/boot-cache.test.ts compares whole runs both ways).
import { Kernel } from '../kernel/kernel.ts';
import { seededRng } from '../kernel/state.ts';
import type { BootOptions } from './boot.ts';
import { HostTracer } from './host.ts';
import type { Policy } from './policy.ts';
import type { UmlProfile } from './profile.ts';
import type { ProbeOutcome } from './start-up.ts';
import type { UmlMemory } from './guest-mm.ts';

/** The host side right after start-up (before the guest kernel, the timer and init exist). */
export interface Booted {
  readonly kernel: Kernel;
  readonly host: HostTracer;
  readonly probe: ProbeOutcome;
  readonly mem: UmlMemory;
}

/** What start-up depends on (machine.ts runUml computes it). */
export interface BootKey {
  readonly profile: UmlProfile;
  readonly multiKernel: boolean;
  readonly boot: BootOptions;
  readonly seed: number;
  readonly insnNs: number;
  readonly waitInsnLimit: number;
  readonly hz: number;
}

/** Snapshots kept per profile (oldest dropped first): a law suite or `ptsim check` alternates a handful of keys. */
export const BOOT_CACHE_MAX = 8;

/** Tests turn the cache off to compare runs booted fresh with runs forked from a snapshot, and count both. */
export const BOOT_CACHE = { enabled: true, boots: 0, forks: 0 };

/** fn() with every runUml booting fresh (the teaching view records each host call from the first; forks start past start-up). */
export function freshBoots<T>(fn: () => T): T {
  const was = BOOT_CACHE.enabled;
  BOOT_CACHE.enabled = false;
  try {
    return fn();
  } finally {
    BOOT_CACHE.enabled = was;
  }
}

const SNAPSHOTS = new WeakMap<UmlProfile, Map<string, Booted>>();

/**
 * The key without the seed, or with it. The seed only starts the kernel's xorshift state
 * (state.ts); a start-up that drew nothing from it (the state is still the seed's) is the
 * same for every seed, and is kept under the seed-free key.
 */
function keyText(k: BootKey, withSeed: boolean): string {
  return `${k.multiKernel}|${JSON.stringify(k.boot)}|${withSeed ? k.seed : '*'}|${k.insnNs}|${k.waitInsnLimit}|${k.hz}`;
}

/** A fork of `b` for a run with `policy` and `seed`: same kernel state and ledger (copied on write), same labels and physmem. */
function fork(b: Booted, policy: Policy, seed: number): Booted {
  const kernel = b.kernel.clone();
  kernel.pricer = null;
  if (kernel.state.config.seed !== seed) {
    // A seed-free snapshot (keyText): the run's own seed, as its own start-up would leave it.
    const st = kernel.state as { -readonly [K in keyof typeof kernel.state]: (typeof kernel.state)[K] };
    st.config = { ...st.config, seed };
    st.rng = seededRng(seed);
  }
  const host = b.host.forkOnto(kernel, policy);
  return { kernel, host, probe: { ...b.probe, lines: b.probe.lines.slice() }, mem: b.mem.forkOnto(host) };
}

/**
 * The booted host side for `key`: forked from the snapshot of an earlier run with the same key,
 * or made by `boot()` (the start-up itself) and kept, forked, for later runs. `boot()` must
 * leave no guest mm behind (start-up ends with none); a state that does is used once, not kept.
 */
export function bootedHost(key: BootKey, policy: Policy, boot: () => Booted): Booted {
  if (!BOOT_CACHE.enabled) return boot();
  let byKey = SNAPSHOTS.get(key.profile);
  if (!byKey) SNAPSHOTS.set(key.profile, (byKey = new Map()));
  const snap = byKey.get(keyText(key, false)) ?? byKey.get(keyText(key, true));
  if (snap) {
    BOOT_CACHE.forks++;
    return fork(snap, policy, key.seed);
  }
  BOOT_CACHE.boots++;
  const fresh = boot();
  if (fresh.mem.mms.size > 0) return fresh;
  const text = keyText(key, fresh.kernel.state.rng !== seededRng(key.seed));
  if (byKey.size >= BOOT_CACHE_MAX) byKey.delete(byKey.keys().next().value!);
  byKey.set(text, fork(fresh, policy, key.seed)); // the kept copy: the fresh one is the caller's to change
  return fresh;
}
