// `ptsim teach`: --help, the static build (one self-contained, deterministic index.html), and
// the CLI contract for bad input (one line on stderr naming the problem, exit 2).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), 'ptsim-teach-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function ptsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('ptsim teach', () => {
  it('--help describes the command', async () => {
    const o = await ptsim('teach', '--help');
    expect(o.code).toBe(0);
    expect(o.stdout).toMatch(/^usage: ptsim teach --out DIR/);
    expect(o.stdout).toContain('--serve');
  });

  it('--out DIR --json writes one self-contained index.html, byte-identical on a rebuild', async () => {
    const a = await ptsim('teach', '--out', join(TMP, 'a'), '--json');
    const b = await ptsim('teach', '--out', join(TMP, 'b'));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const built = JSON.parse(a.stdout);
    expect(built.file).toBe(join(TMP, 'a', 'index.html'));
    const html = readFileSync(built.file, 'utf8');
    expect(Buffer.byteLength(html)).toBe(built.bytes);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|type="module"/);
    expect(html).toContain('id="slider"');
    expect(readFileSync(join(TMP, 'b', 'index.html'), 'utf8')).toBe(html);
    expect(b.stdout).toMatch(/^wrote .*index\.html \(\d+ bytes, self-contained/);
  }, 60_000);

  it.each([
    [[], /^ptsim: teach: --out DIR is required/],
    [['--out', 'FILE'], /^ptsim: teach: --out .* is not a directory/],
    [['--serve', '--port', '99999'], /^ptsim: teach: --port: expected 0\.\.65535/],
    [['--frobnicate'], /^ptsim: .*frobnicate/],
  ])('bad input %j: one line on stderr, exit 2', async (args, re) => {
    const file = join(TMP, 'a-file');
    writeFileSync(file, 'x');
    const o = await ptsim('teach', ...args.map((a) => (a === 'FILE' ? file : a)));
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(re);
    expect(o.stderr.trim().split('\n')).toHaveLength(1);
  });
});
