// Condense a real strace log (test/fixtures/uml/*.strace) and a simulated run to the same
// sequence form: ptrace request names, and wait4 with what it saw.
import { readFileSync } from 'node:fs';
import type { TraceLine } from '../../src/cli/uml-commands.ts';

export function straceSequence(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(new URL(`../fixtures/uml/${file}`, import.meta.url), 'utf8').split('\n')) {
    const p = /^ptrace\((PTRACE_[A-Z_]+)/.exec(line);
    if (p) {
      out.push(p[1]!);
      continue;
    }
    if (!line.startsWith('wait4(')) continue;
    const stop = /WSTOPSIG\(s\) == (SIG[A-Z]+)( \| 0x80)?/.exec(line);
    const exit = /WEXITSTATUS\(s\) == (\d+)/.exec(line);
    const killed = /WTERMSIG\(s\) == (SIG[A-Z]+)/.exec(line);
    if (stop) out.push(`wait4:${stop[1]}${stop[2] ? '|0x80' : ''}`);
    else if (exit) out.push(`wait4:exited(${exit[1]})`);
    else if (killed) out.push(`wait4:killed(${killed[1]})`);
    else if (/= \d+$/.test(line)) out.push('wait4:reaped');
    else out.push('wait4:other');
  }
  return out;
}

export function simSequence(lines: readonly TraceLine[]): string[] {
  return lines.flatMap((l) => {
    if (l.request) return [l.request];
    if (l.syscall === 'wait4') return [`wait4:${l.stop ?? 'none'}`];
    return [];
  });
}
