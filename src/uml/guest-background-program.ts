// Guest code for the `background:N` workload part (uml/guest/bg-spin.c): N × fork(); each
// child spins forever (`for (;;);`, a one-instruction jump to itself: always runnable, no
// syscall, no fault), the parent goes on with the rest of the program at once. With a second
// runnable task, a timer tick makes the guest scheduler switch (sched.ts schedulerTick): the
// sequence of test/fixtures/uml/tick-switch.strace. The children never exit; when init
// exits, the run ends and UML kills their host processes (sched.ts haltOthers).
import { Asm } from '../kernel/asm.ts';

/** Most background tasks one part may start. */
export const BACKGROUND_MAX = 64;

export function backgroundInsns(a: Asm, count: number): void {
  const ax = a.arch.regNames[a.arch.ax]!;
  for (let i = 0; i < count; i++) {
    a.sys('fork');
    // The parent (rax = child pid ≠ 0) jumps over the child's loop.
    a.emit({ op: 'jnz', reg: ax, target: a.here + 2 });
    a.emit({ op: 'jmp', target: a.here }); // the child: for (;;);
  }
}
