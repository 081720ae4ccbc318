// Pricing: the breakdown of one call and of a PTRACE_MULTI, and the profiles as data.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { price, totalNs } from '../../src/cost-model/price.ts';
import { loadProfile, PROFILE_DIR, validateProfile, ProfileError } from '../../src/cost-model/profile.ts';
import { multiEntry } from '../../src/cost-model/whatif.ts';
import { expandForArch } from '../../src/cost-model/arch-moves.ts';
import { calls } from './helpers.ts';

const profile = loadProfile('i386-2008');

describe('profiles', () => {
  for (const f of readdirSync(PROFILE_DIR).filter((x) => x.endsWith('.json'))) {
    it(`${f}: valid, and every number names its source`, () => {
      const json = JSON.parse(readFileSync(`${PROFILE_DIR}/${f}`, 'utf8'));
      expect(() => validateProfile(json)).not.toThrow();
      const walk = (v: unknown, path: string): void => {
        if (v && typeof v === 'object' && 'ns' in v) expect((v as { source?: string }).source, path).toMatch(/\S/);
        else if (v && typeof v === 'object' && path !== 'raw') for (const [k, x] of Object.entries(v)) walk(x, k);
      };
      walk(json.costs, 'costs');
      walk(json.requestNs, 'requestNs');
    });
  }
  it('a profile without a cost this build prices is refused, naming the cost', () => {
    const json = JSON.parse(readFileSync(`${PROFILE_DIR}/calibrated-local.json`, 'utf8'));
    delete json.costs.stubRemapFaultNs;
    expect(() => validateProfile(json)).toThrow(/profile\.costs\.stubRemapFaultNs: missing/);
  });
  it('a number without a source is refused', () => {
    const json = JSON.parse(readFileSync(`${PROFILE_DIR}/i386-2008.json`, 'utf8'));
    json.costs.syscallEntryExitNs = { ns: 1 };
    expect(() => validateProfile(json)).toThrow(ProfileError);
  });
});

describe('price', () => {
  const c = profile.costs;
  it('a single GETREGSET: entry/exit + dispatch + request work + bytes moved', () => {
    const [x] = calls('ptrace(PTRACE_GETREGSET, 9, NT_X86_XSTATE, {iov_base=0x1, iov_len=2696 => 2432}) = 0');
    expect(price(x!.entry, profile, [x!.transferBytes])).toEqual({
      entryExitNs: c.syscallEntryExitNs.ns, requestNs: c.ptraceDispatchNs.ns + profile.requestNs.PTRACE_GETREGSET!.ns,
      transferNs: 2432 * c.transferNsPerByte.ns, roundTripNs: 0, wakeupNs: 0, hostWorkNs: 0,
    });
  });
  it('a successful resume carries its round trip; a failed one does not', () => {
    const [ok, bad] = calls('ptrace(PTRACE_SYSEMU, 9, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 ESRCH (No such process)');
    expect(price(ok!.entry, profile).roundTripNs).toBe(c.roundTripSyscallStopNs.ns);
    expect(price(bad!.entry, profile).roundTripNs).toBe(0);
  });
  it('MULTI of k: saves (k−1)(entry/exit + dispatch), adds k (sub-dispatch + copy-in), keeps work, transfer and the round trip', () => {
    const run = calls('ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_SETREGSET, 9, NT_X86_XSTATE, {iov_base=0x1, iov_len=512 => 512}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0');
    const k = run.length;
    const singles = run.map((x) => price(x.entry, profile, [x.transferBytes]));
    const m = price(multiEntry(run), profile, run.map((x) => x.transferBytes));
    const sum = (f: (b: (typeof singles)[0]) => number): number => singles.reduce((n, b) => n + f(b), 0);
    expect(m.entryExitNs).toBe(sum((b) => b.entryExitNs) - (k - 1) * c.syscallEntryExitNs.ns);
    expect(m.requestNs).toBeCloseTo(sum((b) => b.requestNs) - (k - 1) * c.ptraceDispatchNs.ns + k * (c.multiSubDispatchNs.ns + c.multiEntryCopyInNs.ns), 6);
    expect(m.transferNs).toBe(sum((b) => b.transferNs));
    expect(m.roundTripNs).toBe(sum((b) => b.roundTripNs));
    expect(totalNs(m)).toBeLessThan(sum(totalNs));
  });
});

describe('host terms (host-terms.ts)', () => {
  const local = loadProfile('calibrated-local');
  const unpinned = loadProfile('calibrated-unpinned');
  const u = unpinned.costs;
  it('the two calibrated profiles differ only in crossCpuWakeupNs, which is 0 when pinned, and the unpinned crossCpuRates (cross-cpu.ts)', () => {
    expect(local.costs.crossCpuWakeupNs.ns).toBe(0);
    expect(local.crossCpuRates ?? null).toBeNull();
    expect(unpinned.crossCpuRates).toBeTruthy();
    expect(u.crossCpuWakeupNs.ns).toBeGreaterThan(0);
    expect({ ...unpinned.costs, crossCpuWakeupNs: null }).toEqual({ ...local.costs, crossCpuWakeupNs: null });
    expect(unpinned.requestNs).toEqual(local.requestNs);
  });
  it('a successful resume priced alone (no history) carries two cross-CPU wake-ups when unpinned; a failed one and a non-resume none', () => {
    const [ok, bad, get] = calls('ptrace(PTRACE_SYSEMU, 9, NULL, 0) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 ESRCH (No such process)', 'ptrace(PTRACE_GETREGS, 9, {rax=0}) = 0');
    expect(price(ok!.entry, unpinned).wakeupNs).toBe(2 * u.crossCpuWakeupNs.ns);
    expect(price(ok!.entry, local).wakeupNs).toBe(0);
    expect(price(bad!.entry, unpinned).wakeupNs).toBe(0);
    expect(price(get!.entry, unpinned).wakeupNs).toBe(0);
  });
  it('wait4: a SIGSEGV stop is a host page fault, a syscall stop UML\'s user time for the trap, a reap (NULL status, exited, killed) a host process exit, other stops nothing', () => {
    const [segv, trap, int3, reapNull, exited, killed, restarted] = calls(
      'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSEGV}], WSTOPPED|__WALL, NULL) = 9',
      'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}], WSTOPPED|__WALL, NULL) = 9',
      'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}], WSTOPPED|__WALL, NULL) = 9',
      'wait4(9, NULL, __WALL, NULL) = 9',
      'wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 9',
      'wait4(9, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL) = 9',
      'wait4(9, 0x7ffd, WSTOPPED|__WALL, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)',
    );
    expect(price(segv!.entry, local).hostWorkNs).toBe(u.hostPageFaultNs.ns);
    expect(price(trap!.entry, local).hostWorkNs).toBe(u.umlSyscallStopUserNs.ns);
    expect(u.umlSyscallStopUserNs.ns).toBeGreaterThan(0);
    expect(price(int3!.entry, local).hostWorkNs).toBe(0); // a stub's int3: its run is charged on the CONT
    for (const x of [reapNull, exited, killed]) expect(price(x!.entry, local).hostWorkNs).toBe(u.hostProcessExitNs.ns);
    expect(price(restarted!.entry, local).hostWorkNs).toBe(0);
  });
  it('(OLD)SETOPTIONS marks a new host process (UML sets TRACESYSGOOD once per process); inside a MULTI too', () => {
    const [old, neu, bad] = calls('ptrace(PTRACE_OLDSETOPTIONS, 9, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_SETOPTIONS, 9, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_OLDSETOPTIONS, 9, NULL, PTRACE_O_TRACESYSGOOD) = -1 ESRCH (No such process)');
    expect(price(old!.entry, local).hostWorkNs).toBe(u.hostProcessCreateNs.ns);
    expect(price(neu!.entry, local).hostWorkNs).toBe(u.hostProcessCreateNs.ns);
    expect(price(bad!.entry, local).hostWorkNs).toBe(0);
    const run = calls('ptrace(PTRACE_OLDSETOPTIONS, 9, NULL, PTRACE_O_TRACESYSGOOD) = 0', 'ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0');
    const m = price(multiEntry(run), unpinned, run.map((x) => x.transferBytes));
    expect(m.hostWorkNs).toBeCloseTo(u.hostProcessCreateNs.ns + u.umlStubRunUserNs.ns + u.stubRunHostCallsNs.ns + u.stubRemapFaultNs.ns, 6); // the CONT is a stub run
    expect(m.wakeupNs).toBe(2 * u.crossCpuWakeupNs.ns);
  });
  it('a stub run (a successful PTRACE_CONT with no signal) carries UML\'s user time for it and the stub\'s host calls; a CONT with a signal, a failed one and other resumes none', () => {
    const stub = u.umlStubRunUserNs.ns + u.stubRunHostCallsNs.ns + u.stubRemapFaultNs.ns;
    expect(u.umlStubRunUserNs.ns).toBeGreaterThan(0);
    expect(u.stubRunHostCallsNs.ns).toBeGreaterThan(0);
    const [cont0, contSegv, contFailed, sysemu, contNull] = calls(
      'ptrace(PTRACE_CONT, 9, NULL, 0) = 0',
      'ptrace(PTRACE_CONT, 9, NULL, SIGSEGV) = 0',
      'ptrace(PTRACE_CONT, 9, NULL, 0) = -1 ESRCH (No such process)',
      'ptrace(PTRACE_SYSEMU, 9, NULL, 0) = 0',
      'ptrace(PTRACE_CONT, 9, NULL, NULL) = 0',
    );
    for (const p of [local, unpinned]) {
      expect(price(cont0!.entry, p).hostWorkNs).toBe(stub);
      expect(price(contNull!.entry, p).hostWorkNs).toBe(stub);
      expect(price(contSegv!.entry, p).hostWorkNs).toBe(0);
      expect(price(contFailed!.entry, p).hostWorkNs).toBe(0);
      expect(price(sysemu!.entry, p).hostWorkNs).toBe(0);
    }
    // inside a MULTI: the sub-request's data is its signal
    const run = calls('ptrace(PTRACE_SETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, SIGSEGV) = 0');
    expect(price(multiEntry(run), local, run.map((x) => x.transferBytes)).hostWorkNs).toBe(0);
    // the 2008 profile prices host calls only
    expect(price(cont0!.entry, profile).hostWorkNs).toBe(0);
  });
});

describe('ppc32 register moves', () => {
  it('GETREGS becomes getWords PEEKUSER calls; other requests are unchanged', () => {
    const ppc = loadProfile('ppc32');
    const [g, s, cont] = calls('ptrace(PTRACE_GETREGS, 9, {rax=0}) = 0', 'ptrace(PTRACE_SETREGSET, 9, NT_X86_XSTATE, {iov_base=0x1, iov_len=1 => 1}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = 0');
    const e = expandForArch(g!, ppc);
    expect(e.length).toBe(ppc.registerMoves!.getWords);
    expect(new Set(e.map((x) => x.entry.ptrace!.requestName))).toEqual(new Set(['PTRACE_PEEKUSER']));
    expect(e.map((x) => x.entry.args[2])).toEqual(e.map((_, i) => BigInt(i * 4)));
    expect(expandForArch(s!, ppc).length).toBe(ppc.registerMoves!.regsetWords);
    expect(expandForArch(cont!, ppc)).toEqual([cont]);
  });
});
