// UML's start-up probes (arch/um/os-Linux/start_up.c; uml-skas.md §2, uml/README.md): the
// probe child, check_ptrace, check_sysemu (basic and advanced), the seed's combined
// PTRACE_VM + PTRACE_MULTI probe, and the register-template child — with UML's own messages.
import type { Arch } from '../kernel/arch.ts';
import { Asm } from '../kernel/asm.ts';
import { SIG } from '../kernel/signals.ts';
import { PTRACE_O } from '../kernel/task.ts';
import { WEXITSTATUS, WIFEXITED, WSTOPSIG, WUNTRACED } from '../kernel/wait-status.ts';
import { NT, PTRACE } from '../ptrace/numbers.ts';
import { testPtraceSysptvmAndPtmulti } from './probe-sysptvm.ts';
import { UML_REGS, UML_XSTATE_IOV, type HostTracer } from './host.ts';
import type { UmlProfile } from './profile.ts';
import { setXstateIov } from './userspace.ts';
import type { BootOptions } from './boot.ts';

/** Instructions between kill(SIGSTOP) returning and getpid's syscall in the real probe child (19 SYSEMU_SINGLESTEP rounds on 6.1). */
const PROBE_PATH_INSNS = 18;

/**
 * start_ptraced_child(): the child TRACEMEs, stops itself, calls getpid once and exits
 * 0 if it got its parent's pid, 1 if its own, 2 otherwise.
 */
function probeChild(arch: Arch, parent: number, self: number) {
  const a = new Asm(arch);
  const ax = arch.regNames[arch.ax]!;
  const t = arch.regNames[arch.argRegs[1]!]!;
  a.sys('ptrace', PTRACE.TRACEME, 0, 0, 0).sys('kill', self, SIG.SIGSTOP);
  for (let i = 0; i < PROBE_PATH_INSNS - 1; i++) a.emit({ op: 'nop' });
  a.sys('getpid');
  a.emit({ op: 'movr', dst: t, src: ax }, { op: 'add', dst: t, imm: BigInt(-parent) });
  const notParent = a.here + 1 + 3;
  a.emit({ op: 'jnz', reg: t, target: notParent }).exit(0);
  a.emit({ op: 'movr', dst: t, src: ax }, { op: 'add', dst: t, imm: BigInt(-self) });
  const notSelf = a.here + 1 + 3;
  a.emit({ op: 'jnz', reg: t, target: notSelf }).exit(1).exit(2);
  return a.build('/uml/start_ptraced_child');
}

function startPtracedChild(host: HostTracer): number {
  const k = host.kernel;
  const pid = Number(k.forkChild(host.uml, probeChild(k.arch, host.uml, k.state.nextPid)).ret);
  const w = host.wait4(pid, WUNTRACED);
  if (w.status === null || w.status === undefined || WSTOPSIG(w.status) !== SIG.SIGSTOP) throw new Error(`start_ptraced_child : expected SIGSTOP, got status = ${w.status}`);
  return pid;
}

function stopPtracedChild(host: HostTracer, pid: number, exitCode: number): boolean {
  host.ptrace(PTRACE.CONT, pid, 0n, 0n);
  const w = host.wait4(pid, 0);
  return w.status !== null && w.status !== undefined && WIFEXITED(w.status) && WEXITSTATUS(w.status) === exitCode;
}

export interface ProbeOutcome {
  lines: string[];
  sysemuSupported: number;
  ptmultiSupported: boolean;
  sysptvmSupported: boolean;
}

export function runStartupProbes(host: HostTracer, profile: UmlProfile, boot: BootOptions, seedPatch: boolean): ProbeOutcome {
  host.event = 'probe';
  const k = host.kernel;
  const arch = k.arch;
  const origAxOff = BigInt(arch.origAx * arch.wordBytes);
  const axOff = BigInt(arch.ax * arch.wordBytes);
  const getpid = arch.name === 'x86_64' ? 39n : 20n;
  const getppid = arch.name === 'x86_64' ? 110n : 64n;
  const lines: string[] = [];
  let text = '';
  const say = (s: string) => {
    text += s;
    const parts = text.split('\n');
    text = parts.pop()!;
    lines.push(...parts);
  };

  // check_ptrace()
  say('Checking that ptrace can change system call numbers...');
  let pid = startPtracedChild(host);
  host.ptrace(PTRACE.OLDSETOPTIONS, pid, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
  for (let i = 0; i < 64; i++) {
    host.ptrace(PTRACE.SYSCALL, pid, 0n, 0n);
    const w = host.wait4(pid, WUNTRACED);
    if (w.status === null || w.status === undefined || WSTOPSIG(w.status) !== (SIG.SIGTRAP | 0x80)) throw new Error(`check_ptrace : expected SIGTRAP|0x80, got status = ${w.status}`);
    host.ptrace(PTRACE.PEEKUSER, pid, origAxOff, UML_REGS);
    if (k.readWord(host.uml, UML_REGS) === getpid) break;
  }
  host.ptrace(PTRACE.POKEUSER, pid, origAxOff, getppid);
  say(stopPtracedChild(host, pid, 0) ? 'OK\n' : 'failed\n');

  // The seed's check_sysptvm (ptrace_vm + PTRACE_MULTI), unless `usesysemu`.
  let sysptvmSupported = false;
  let ptmultiSupported = false;
  // (uml-6.1 has no ptrace_vm code: there the seed's multi probe runs after check_sysemu.)
  const vmPatch = profile.name === 'uml-2.6.26';
  const probeMulti = () => {
    const feature = testPtraceSysptvmAndPtmulti(k, host.uml);
    if (vmPatch) {
      say('Checking ptrace new tags for syscall emulation...');
      sysptvmSupported = feature.sysptvm;
      say(feature.sysptvm ? `OK${boot.nosysptvm ? ' (disabled)' : ''}\n` : 'unsupported\n');
    }
    say('Checking ptrace multi speedup...');
    ptmultiSupported = feature.ptmulti;
    say(feature.ptmulti ? `OK${boot.nosysptmulti ? ' (disabled)' : ''}\n` : 'unsupported\n');
  };
  if (seedPatch && vmPatch && !boot.usesysemu) probeMulti();

  // check_sysemu(): basic, then advanced (SYSEMU_SINGLESTEP).
  let sysemuSupported = 0;
  if (!sysptvmSupported || boot.usesysemu) {
    say('Checking syscall emulation patch for ptrace...');
    pid = startPtracedChild(host);
    const r = host.ptrace(PTRACE.SYSEMU, pid, 0n, 0n);
    let ok = r.errno === null;
    if (ok) {
      const w = host.wait4(pid, WUNTRACED);
      ok = w.status !== null && w.status !== undefined && WSTOPSIG(w.status) === SIG.SIGTRAP;
      host.ptrace(PTRACE.GETREGS, pid, 0n, UML_REGS);
      host.ptrace(PTRACE.POKEUSER, pid, axOff, BigInt(host.uml));
      ok = stopPtracedChild(host, pid, 0) && ok;
    } else {
      host.ptrace(PTRACE.KILL, pid, 0n, 0n);
      host.wait4(pid, 0);
    }
    say(ok ? 'OK\n' : 'missing\n');
    if (ok) {
      sysemuSupported = 1;
      say('Checking advanced syscall emulation patch for ptrace...');
      pid = startPtracedChild(host);
      host.ptrace(PTRACE.OLDSETOPTIONS, pid, 0n, BigInt(PTRACE_O.TRACESYSGOOD));
      for (let i = 0; i < 1000; i++) {
        host.ptrace(PTRACE.SYSEMU_SINGLESTEP, pid, 0n, 0n);
        const w = host.wait4(pid, WUNTRACED);
        if (w.status !== null && w.status !== undefined && WSTOPSIG(w.status) === (SIG.SIGTRAP | 0x80)) break;
      }
      host.ptrace(PTRACE.POKEUSER, pid, axOff, BigInt(host.uml));
      if (stopPtracedChild(host, pid, 0)) {
        sysemuSupported = 2;
        say('OK\n');
      } else {
        say('missing\n');
      }
    }
  }

  if (seedPatch && !vmPatch) probeMulti();

  // init_registers(): the register template child (6.1: GETREGS + XSTATE twice; exits 1).
  pid = startPtracedChild(host);
  host.ptrace(PTRACE.GETREGS, pid, 0n, UML_REGS);
  if (profile.xstateRegset) {
    setXstateIov(host, profile);
    host.ptrace(PTRACE.GETREGSET, pid, BigInt(NT.NT_X86_XSTATE), UML_XSTATE_IOV);
    host.ptrace(PTRACE.GETREGSET, pid, BigInt(NT.NT_X86_XSTATE), UML_XSTATE_IOV);
  } else {
    host.ptrace(PTRACE.GETFPXREGS, pid, 0n, UML_REGS + 0x200n);
  }
  stopPtracedChild(host, pid, 1);
  return { lines, sysemuSupported, ptmultiSupported, sysptvmSupported };
}
