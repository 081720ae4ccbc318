// For bench/run.ts: runs `ptsim run --workload getpid:N --json` (the CLI's command, output
// discarded: a streaming ledger) and prints this process's peak resident set in KB (peak-rss.ts:
// VmHWM) and the run's host syscalls, so the bench can show that memory stays flat in N.
import { commandRun } from '../src/cli/uml-commands.ts';
import '../src/cli/node-sha256.ts';
import { peakRssKb } from './peak-rss.ts';

const write = process.stdout.write.bind(process.stdout);
const log = console.log;
let out = '';
console.log = (s: string) => void (out = s);
commandRun(['--workload', `getpid:${process.argv[2]}`, '--profile', 'uml-6.1', '--json']);
console.log = log;
const r = JSON.parse(out) as { hostSyscalls: number };
write(`${peakRssKb()} ${r.hostSyscalls}\n`);
