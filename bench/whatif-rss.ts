// For bench/run.ts: runs `ptsim whatif FILE --json` (the CLI's main, output discarded) and
// prints this process's peak resident set in KB, so the bench reports the memory of a whole
// what-if run apart from its own. The peak is /proc/self/status VmHWM (proc(5): the peak RSS
// of this process's address space), not getrusage's ru_maxrss: Linux keeps ru_maxrss across
// execve (fs/exec.c exec_mmap: setmax_mm_hiwater_rss(&tsk->signal->maxrss, old_mm)), so a
// child spawned by a big bench process would report the bench's own RSS at the fork.
import { readFileSync } from 'node:fs';
import { main } from '../src/cost-model/cli.ts';

/** VmHWM in KB, or ru_maxrss where /proc is not there. */
function peakRssKb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

const write = process.stdout.write.bind(process.stdout);
const log = console.log;
console.log = () => {};
const code = await main([process.argv[2]!, '--json']);
console.log = log;
if (code !== 0) process.exit(code);
write(`${peakRssKb()}\n`);
