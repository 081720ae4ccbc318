// For bench/run.ts: runs `ptsim whatif FILE --json` (the CLI's main, output discarded) and
// prints this process's peak resident set in KB (peak-rss.ts: VmHWM), so the bench reports the
// memory of a whole what-if run apart from its own.
import { main } from '../src/cost-model/cli.ts';
import { peakRssKb } from './peak-rss.ts';

const write = process.stdout.write.bind(process.stdout);
const log = console.log;
console.log = () => {};
const code = await main([process.argv[2]!, '--json']);
console.log = log;
if (code !== 0) process.exit(code);
write(`${peakRssKb()}\n`);
