// For bench/run.ts: runs `ptsim whatif FILE --json` (the CLI's main, output discarded) and
// prints this process's peak resident set in KB (getrusage ru_maxrss), so the bench reports
// the memory of a whole what-if run apart from its own.
import { main } from '../src/cost-model/cli.ts';

const write = process.stdout.write.bind(process.stdout);
const log = console.log;
console.log = () => {};
const code = await main([process.argv[2]!, '--json']);
console.log = log;
if (code !== 0) process.exit(code);
write(`${process.resourceUsage().maxRSS}\n`);
