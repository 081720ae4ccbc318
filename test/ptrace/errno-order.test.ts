// Exhaustive small scope (TigerBeetle style): every request number the model knows, plus
// numbers Linux never had, against every tracee state we can produce, on both profiles.
// The rule (ptrace.md §6, kernel/ptrace.c sys_ptrace → ptrace_check_attach → arch_ptrace):
// ESRCH for "not traced by me / not in a ptrace-stop" comes before EIO for an unknown or
// absent request. Only KILL and INTERRUPT skip the stopped check on 6.18 (kernel/ptrace.c:
// `ptrace_check_attach(child, request == PTRACE_KILL || request == PTRACE_INTERRUPT)`), only
// KILL on 2.6.26; nothing skips the traced-by-me check.
import { describe, expect, test } from 'vitest';
import { SIG } from '../../src/kernel/signals.ts';
import { PTRACE_O, type StopKind } from '../../src/kernel/task.ts';
import { __WALL } from '../../src/kernel/wait-status.ts';
import { PTRACE, requestName } from '../../src/ptrace/numbers.ts';
import { REQUEST_TABLE } from '../../src/ptrace/request-table.ts';
import { NONEXISTENT_PID, requestKnown, Rig, type ProfileName, type TraceeSpec, type TraceMode } from './harness.ts';

interface Built {
  readonly rig: Rig;
  readonly pid: number;
  /** In a ptrace-stop the caller can use (traced by the caller, not LISTENing). */
  readonly stopped: boolean;
  /** Traced by the caller (the rig's tracer). */
  readonly mine: boolean;
}

const MAIN: TraceeSpec = { loop: 1, body: [{ op: 'getpid' }, { op: 'fork', child: 'exit', code: 0 }, { op: 'exec', ok: true }], end: 'spin', code: 0 };
const SPIN: TraceeSpec = { loop: 1, body: [{ op: 'getpid' }], end: 'spin', code: 0 };
const PAUSE: TraceeSpec = { loop: 1, body: [{ op: 'pause' }], end: 'spin', code: 0 };

function make(profile: ProfileName, spec: TraceeSpec, mode: TraceMode): { r: Rig; c: number } {
  const r = Rig.create({ profile, seed: 3, tracees: [{ spec, mode }], seizeOptions: 0 });
  const c = r.children[0]!;
  if (mode === 'traceme') expectStop(r, c, 'signal-delivery'); // its own SIGSTOP
  return { r, c };
}

function expectStop(r: Rig, c: number, kind: StopKind, event?: number): void {
  const w = r.wait4(c, __WALL);
  const t = r.k.task(c);
  expect(w.errno).toBeNull();
  expect(t?.run.kind === 'ptrace-stop' ? t.run.stop.kind : t?.run.kind).toBe(kind);
  if (event !== undefined && t?.run.kind === 'ptrace-stop') expect(t.run.stop.event).toBe(event);
}

function stopped(r: Rig, c: number): Built {
  return { rig: r, pid: c, stopped: true, mine: true };
}

/** Every state, by name. Each builder asserts it really produced that state. */
function states(profile: ProfileName): Record<string, () => Built> {
  const modern = profile === '6.18';
  const s: Record<string, () => Built> = {
    'signal-delivery-stop': () => { const { r, c } = make(profile, MAIN, 'traceme'); return stopped(r, c); },
    'group-stop': () => {
      const { r, c } = make(profile, MAIN, 'traceme');
      r.ptrace(PTRACE.CONT, c, 0n, BigInt(SIG.SIGSTOP));
      expectStop(r, c, 'group-stop');
      return stopped(r, c);
    },
    'syscall-enter-stop': () => { const { r, c } = make(profile, MAIN, 'traceme'); r.ptrace(PTRACE.SYSCALL, c); expectStop(r, c, 'syscall-enter'); return stopped(r, c); },
    'syscall-exit-stop': () => {
      const { r, c } = make(profile, MAIN, 'traceme');
      r.ptrace(PTRACE.SYSCALL, c); expectStop(r, c, 'syscall-enter');
      r.ptrace(PTRACE.SYSCALL, c); expectStop(r, c, 'syscall-exit');
      return stopped(r, c);
    },
    'sysemu-stop': () => { const { r, c } = make(profile, MAIN, 'traceme'); r.ptrace(PTRACE.SYSEMU, c); expectStop(r, c, 'sysemu'); return stopped(r, c); },
    'single-step-trap': () => { const { r, c } = make(profile, MAIN, 'traceme'); r.ptrace(PTRACE.SINGLESTEP, c); expectStop(r, c, 'signal-delivery'); return stopped(r, c); },
    'fork-event-stop': () => {
      const { r, c } = make(profile, MAIN, 'traceme');
      r.ptrace(PTRACE.SETOPTIONS, c, 0n, BigInt(PTRACE_O.TRACEFORK));
      r.ptrace(PTRACE.CONT, c); expectStop(r, c, 'event', 1);
      return stopped(r, c);
    },
    'exec-event-stop': () => {
      const { r, c } = make(profile, MAIN, 'traceme');
      r.ptrace(PTRACE.SETOPTIONS, c, 0n, BigInt(PTRACE_O.TRACEEXEC));
      r.ptrace(PTRACE.CONT, c); expectStop(r, c, 'event', 4);
      return stopped(r, c);
    },
    'exit-event-stop': () => {
      const { r, c } = make(profile, MAIN, 'traceme');
      r.ptrace(PTRACE.SETOPTIONS, c, 0n, BigInt(PTRACE_O.TRACEEXIT));
      // Through the SIGCHLD of the forked child and the SIGTRAP of exec (no TRACEEXEC).
      for (let i = 0; i < 5; i++) {
        r.ptrace(PTRACE.CONT, c);
        r.wait4(c, __WALL);
        const t = r.k.task(c)!;
        if (t.run.kind === 'ptrace-stop' && t.run.stop.kind === 'event') break;
      }
      const t = r.k.task(c)!;
      expect(t.run.kind === 'ptrace-stop' && t.run.stop.event).toBe(6);
      return stopped(r, c);
    },
    running: () => {
      const { r, c } = make(profile, SPIN, 'traceme');
      r.ptrace(PTRACE.CONT, c); r.k.settle(1000);
      expect(r.k.task(c)!.run.kind).toBe('running');
      return { rig: r, pid: c, stopped: false, mine: true };
    },
    'sleeping-in-pause': () => {
      const { r, c } = make(profile, PAUSE, 'traceme');
      r.ptrace(PTRACE.CONT, c); r.k.settle(1000);
      expect(r.k.task(c)!.run.kind).toBe('blocked');
      return { rig: r, pid: c, stopped: false, mine: true };
    },
    'traced-zombie': () => {
      const { r, c } = make(profile, { ...SPIN, end: 'exit' }, 'traceme');
      r.ptrace(PTRACE.CONT, c); r.k.settle();
      expect(r.k.task(c)!.run.kind).toBe('zombie');
      return { rig: r, pid: c, stopped: false, mine: true };
    },
    'untraced-child': () => {
      const { r, c } = make(profile, SPIN, 'none');
      r.k.settle(1000);
      expect(r.k.task(c)!.tracer).toBeNull();
      return { rig: r, pid: c, stopped: false, mine: false };
    },
    'stopped-by-another-tracer': () => {
      const { r, c } = make(profile, SPIN, 'none');
      const other = r.k.spawnExternal('other-tracer');
      expect(r.k.ptrace(other, PTRACE.ATTACH, c).errno).toBeNull();
      expect(r.k.wait4(other, c, __WALL).errno).toBeNull();
      expect(r.k.task(c)!.run.kind).toBe('ptrace-stop');
      return { rig: r, pid: c, stopped: false, mine: false };
    },
    nonexistent: () => {
      const { r } = make(profile, SPIN, 'none');
      return { rig: r, pid: NONEXISTENT_PID, stopped: false, mine: false };
    },
  };
  if (modern) {
    s['seized-running'] = () => {
      const { r, c } = make(profile, SPIN, 'seize');
      r.k.settle(1000);
      expect(r.k.task(c)!.run.kind).toBe('running');
      return { rig: r, pid: c, stopped: false, mine: true };
    };
    s['interrupt-stop'] = () => {
      const { r, c } = make(profile, SPIN, 'seize');
      r.ptrace(PTRACE.INTERRUPT, c); expectStop(r, c, 'event', 0x80);
      return stopped(r, c);
    };
    s.listening = () => {
      const { r, c } = make(profile, SPIN, 'seize');
      r.ptrace(PTRACE.INTERRUPT, c); expectStop(r, c, 'event', 0x80);
      expect(r.ptrace(PTRACE.LISTEN, c).errno).toBeNull();
      return { rig: r, pid: c, stopped: false, mine: true };
    };
    s['seized-group-stop'] = () => {
      const { r, c } = make(profile, SPIN, 'seize');
      r.kill(c, SIG.SIGSTOP); expectStop(r, c, 'signal-delivery');
      r.ptrace(PTRACE.CONT, c, 0n, BigInt(SIG.SIGSTOP)); expectStop(r, c, 'group-stop', 0x80);
      return stopped(r, c);
    };
  }
  return s;
}

/** Request numbers: the whole table and numbers Linux never had (or this model lacks). */
const REQUESTS = [...new Set([...REQUEST_TABLE.map((e) => e.nr), 0x4300, 0x4301, 0x4302, 0x4303, 10, 11, 20, 23, 27, 34, 40, 0x4212, 999, -1])]
  .filter((nr) => nr !== PTRACE.TRACEME);

describe('errno order: ESRCH (not traced by me / not stopped) before EIO (unknown request)', () => {
  for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
    const modern = profile === '6.18';
    for (const [name, build] of Object.entries(states(profile))) {
      test(`${profile} × ${name} × ${REQUESTS.length} requests`, () => {
        const base = build();
        const failures: string[] = [];
        for (const req of REQUESTS) {
          const r = base.rig.clone();
          const live = r.k.task(base.pid);
          const target = live && structuredClone(live); // the kernel changes task objects in place
          const res = r.ptrace(req, base.pid, 0n, 0n);
          const got = res.errno ?? `ok ${res.ret}`;
          const seizeExists = req === PTRACE.SEIZE && modern;
          let want: string;
          if (!target) want = 'ESRCH';
          else if (req === PTRACE.ATTACH || seizeExists) want = target.tracer !== null || target.run.kind === 'zombie' ? 'EPERM' : 'ok 0';
          else if (!base.mine) want = 'ESRCH';
          else {
            const exempt = req === PTRACE.KILL || (req === PTRACE.INTERRUPT && modern);
            if (!base.stopped && !exempt) want = 'ESRCH';
            else if (!requestKnown(r, req)) want = 'EIO';
            else want = 'not ESRCH';
          }
          const okay = want === 'not ESRCH' ? res.errno !== 'ESRCH' : got === want;
          if (!okay) failures.push(`${requestName(req)} (${req}): got ${got}, want ${want}`);
          // Only the exempt requests may succeed on a tracee that is not in a usable stop.
          if (res.errno === null && base.mine && !base.stopped) {
            const exempt = req === PTRACE.KILL || (req === PTRACE.INTERRUPT && modern);
            if (!exempt) failures.push(`${requestName(req)} succeeded on a tracee that is not stopped`);
          }
        }
        expect(failures).toEqual([]);
      });
    }
  }

  test('KILL on a running tracee: 6.18 kills it, 2.6.26 leaves it running (ptrace.md §6)', () => {
    for (const profile of ['6.18', '2.6.26'] as ProfileName[]) {
      const b = states(profile).running!();
      expect(b.rig.ptrace(PTRACE.KILL, b.pid).errno).toBeNull();
      const w = b.rig.wait4(b.pid, profile === '6.18' ? __WALL : __WALL | 1);
      if (profile === '6.18') expect(w.status).toBe(SIG.SIGKILL);
      else expect([w.ret, b.rig.k.task(b.pid)!.run.kind]).toEqual([0n, 'running']);
    }
  });
});
