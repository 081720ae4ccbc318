// The peak resident set of this process in KB, for the bench's child processes (run-rss.ts,
// whatif-rss.ts). /proc/self/status VmHWM (proc(5): the peak RSS of this process's address
// space), not getrusage's ru_maxrss: Linux keeps ru_maxrss across execve (fs/exec.c exec_mmap:
// setmax_mm_hiwater_rss(&tsk->signal->maxrss, old_mm)), so a child spawned by a big bench
// process would report the bench's own RSS at the fork.
import { readFileSync } from 'node:fs';

/** VmHWM in KB, or ru_maxrss where /proc is not there. */
export function peakRssKb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}
