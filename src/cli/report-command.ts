// `ptsim report --html FILE`: single vs multi of one UML workload as a self-contained HTML page
// (src/cost-model/html-report.ts).
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { htmlReport, writeFileAtomic } from '../cost-model/html-report.ts';
import { loadProfile } from '../cost-model/profile.ts';
import { MIX_BASE } from '../cost-model/validation.ts';
import { CliError, compareRuns } from './uml-commands.ts';

export const REPORT_HELP = `usage: ptsim report --html FILE [--workload SPEC] [--profile P] [--policy P] [--cost C] [--boot "ARGS"] [--seed N]

Runs the workload in single and in multi mode (as ptsim compare) and writes ONE self-contained
HTML file (inline SVG and CSS, no script, no external resource): host calls by request, the
time split (entry/exit, request work, transfer, round trips) per mode, and host calls per
guest event. The file is written to a temporary file next to FILE, then renamed.
  --html FILE         the HTML file to write (required)
  --workload SPEC     as ptsim run (default: the mixed workload of docs/cost-model.md,
                      ${MIX_BASE})
  --profile P         uml-2.6.26 | uml-6.1 (default uml-6.1)
  --policy P          seed | full | FILE.json (default seed)
  --cost C            calibrated-local (default, pinned), calibrated-unpinned, i386-2008, ppc32, or FILE.json
  --boot "ARGS"       UML boot switches
  --seed N            the host kernel's scheduler seed (default 1); its scheduler is round-robin and
                      draws nothing from it today, so every seed gives the same run`;

export function commandReport(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean' }, html: { type: 'string' }, workload: { type: 'string' }, profile: { type: 'string' }, policy: { type: 'string' }, cost: { type: 'string' }, boot: { type: 'string' }, seed: { type: 'string' } },
  });
  if (values.help) return void console.log(REPORT_HELP);
  if (positionals.length) throw new CliError(`report: unexpected argument '${positionals[0]}' (the output file goes after --html)`);
  const file = values.html;
  if (!file) throw new CliError('report: --html FILE is required (try ptsim report --help)');
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`report: cannot write ${file}: directory ${dir} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new CliError(`report: cannot write ${file}: it is a directory`);
  const c = compareRuns({ ...values, workload: values.workload ?? MIX_BASE });
  const html = htmlReport(c, { costDescription: loadProfile(values.cost ?? 'calibrated-local').description });
  try {
    writeFileAtomic(file, html);
  } catch (e) {
    throw new CliError(`report: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  console.log(`${file}: ${c.single.profile}, policy ${c.single.policy}, workload ${c.single.workload}: host syscalls ${c.single.hostSyscalls} → ${c.multi.hostSyscalls} (${(c.saved.fraction * 100).toFixed(1)} % fewer), host-call time ${(c.single.simulatedNs / 1000).toFixed(1)} → ${(c.multi.simulatedNs / 1000).toFixed(1)} us (${c.saved.speedup.toFixed(3)}×)`);
}
