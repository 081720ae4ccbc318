// The two UML host-side profiles (uml-skas.md §4, §8; uml/README.md):
//  * uml-2.6.26: the seed's code on an i386 2.6.26 host: per guest syscall SETREGS, SYSEMU,
//    waitpid, GETREGS = 4 host calls; no FP regsets in the loop.
//  * uml-6.1: modern UML as observed on Linux 6.18 (x86_64): SETREGS, SETREGSET(NT_X86_XSTATE,
//    iov 2696 ⇒ 2432), SYSEMU, wait4, GETREGS, GETREGSET = 6; OLDSETOPTIONS; ARCH_PRCTL on
//    switches; kill + PTRACE_KILL + failing CONT + reap on exit.
import type { KernelConfig } from '../kernel/config.ts';

export type ProfileName = 'uml-2.6.26' | 'uml-6.1';

export interface UmlProfile {
  readonly name: ProfileName;
  /** The host kernel (stock); multi mode adds ptraceMulti '2008'. */
  readonly kernel: Partial<KernelConfig>;
  /** Save/restore NT_X86_XSTATE with GETREGSET/SETREGSET around every stop (6.1). */
  readonly xstateRegset: boolean;
  /** iov_len UML passes for the XSTATE regset (its compile-time maximum). */
  readonly xstateIovLen: bigint;
  /** SIGALRM (6.1, host POSIX timer forwarded by kill) or SIGVTALRM (2.6.26, child ITIMER_VIRTUAL). */
  readonly tickSignal: 'SIGALRM' | 'SIGVTALRM';
  /**
   * Usermode-helper host processes a boot makes before init (usermode-helper.ts; boot switch
   * `umh=N`). 6.1: 556, the median of 13 real boots (464–618; uml/README.md "Boot: usermode
   * helpers", test/fixtures/uml/boot-6.1.strace.gz). 2.6.26: 0, no capture of its boot.
   */
  readonly usermodeHelpersAtBoot: number;
}

export const PROFILES: Record<ProfileName, UmlProfile> = {
  'uml-2.6.26': {
    name: 'uml-2.6.26',
    kernel: { generation: '2.6.26', arch: 'i386', sysemu: true },
    xstateRegset: false,
    xstateIovLen: 0n,
    tickSignal: 'SIGVTALRM',
    usermodeHelpersAtBoot: 0,
  },
  'uml-6.1': {
    name: 'uml-6.1',
    kernel: { generation: '6.18', arch: 'x86_64' },
    xstateRegset: true,
    xstateIovLen: 2696n,
    tickSignal: 'SIGALRM',
    usermodeHelpersAtBoot: 556,
  },
};

export function profileByName(name: string): UmlProfile | undefined {
  return (PROFILES as Record<string, UmlProfile>)[name];
}
