// `ptsim teach`: the browser teaching view (web/, src/teach/) as a static site.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTeach } from './teach-build.ts';
import { serveStatic } from './static-server.ts';
import { CliError } from './uml-commands.ts';

export const TEACH_HELP = `usage: ptsim teach --out DIR [--json]
       ptsim teach --serve [--out DIR] [--port N]     (npm run teach)

Builds the teaching view: step forward and back through every host syscall of a ptrace,
PTRACE_MULTI or UML scenario in a browser, with the sequence diagram, task states, registers
(changed ones marked), signals, the wait4 status decoded bit by bit, siginfo, the priced
ledger, and single vs multi for UML. The simulator itself runs in the page: the build is ONE
self-contained index.html (no server-side code, no network), so it works from file:// or any
static server. The URL fragment is a permalink (#s=SCENARIO&m=MODE&step=N).
  --out DIR     write the static build into DIR (created if missing; its old contents are replaced)
  --serve       build (into --out, default build/teach) and serve it on 127.0.0.1, printing the URL
  --port N      port for --serve (default 5178; 0 = any free port)
  --json        print { dir, file, bytes } of the build`;

export async function commandTeach(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean' }, out: { type: 'string' }, serve: { type: 'boolean' }, port: { type: 'string' }, json: { type: 'boolean' } } });
  if (values.help) return void console.log(TEACH_HELP);
  if (!values.out && !values.serve) throw new CliError('teach: --out DIR is required (or --serve)');
  const out = values.out ?? 'build/teach';
  if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`teach: --out ${out} is not a directory`);
  const port = values.port === undefined ? 5178 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`teach: --port: expected 0..65535, got '${values.port}'`);
  let built;
  try {
    built = await buildTeach(out);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new CliError('teach: vite is not installed (run npm ci, with dev dependencies)');
    throw e;
  }
  if (values.json) console.log(JSON.stringify(built));
  else console.log(`wrote ${join(out, 'index.html')} (${built.bytes} bytes, self-contained: open it directly or serve ${out})`);
  if (!values.serve) return;
  const { url } = await serveStatic(built.dir, port);
  console.log(`serving the teaching view at ${url}  (Ctrl-C to stop)`);
  await new Promise<never>(() => {}); // until interrupted
}
