// The golden set of issue 9 ("nothing may change but speed"): `run --json` and `trace --json`
// for a fixed set of workloads on both profiles, both modes and both policies, recorded
// before the mutable-core rewrite (scripts/record-goldens.ts) and compared byte for byte
// after it (test/golden/golden.test.ts).
import { commandRun, commandTrace } from '../../src/cli/uml-commands.ts';

export const GOLDEN_WORKLOADS: readonly string[] = [
  'getpid:20',
  'write:5x64',
  'touch:20000',
  'spin:3000',
  'sleep:2',
  'fork:2',
  'exec:2',
  'sysemu:1+getpid:3+sysemu:2+getpid:3',
  'getpid:2+sysemu:0+getpid:2',
  'sysptmulti:0+getpid:3+sysptmulti:1+getpid:3',
  ...Array.from({ length: 20 }, (_, i) => `random:${i + 1}:50`),
];

export const GOLDEN_PROFILES = ['uml-2.6.26', 'uml-6.1'] as const;
export const GOLDEN_SETTINGS = [
  { mode: 'single', policy: 'seed' },
  { mode: 'multi', policy: 'seed' },
  { mode: 'multi', policy: 'full' },
] as const;

export interface GoldenCase {
  readonly name: string;
  readonly args: readonly string[];
}

/**
 * The 180 cases boot with `noumh` (no usermode helpers, src/uml/usermode-helper.ts): their
 * outputs are then the pre-helper recordings but for run's `"boot": "noumh"`, and stay small.
 * One more case pins the default boot (556 helpers on uml-6.1) in full.
 */
export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const profile of GOLDEN_PROFILES) {
    for (const { mode, policy } of GOLDEN_SETTINGS) {
      for (const workload of GOLDEN_WORKLOADS) {
        out.push({ name: `${profile} ${mode} ${policy} ${workload}`, args: ['--workload', workload, '--profile', profile, '--mode', mode, '--policy', policy, '--boot', 'noumh', '--json'] });
      }
    }
  }
  out.push({ name: 'uml-6.1 single seed getpid:2 default-boot', args: ['--workload', 'getpid:2', '--profile', 'uml-6.1', '--mode', 'single', '--policy', 'seed', '--json'] });
  return out;
}

/** What one golden case prints: `run --json` then `trace --json`, captured in process. */
export function goldenOutput(c: GoldenCase): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...xs: unknown[]) => void lines.push(xs.map(String).join(' '));
  try {
    lines.push('# run');
    commandRun([...c.args]);
    lines.push('# trace');
    commandTrace([...c.args]);
  } finally {
    console.log = log;
  }
  return lines.join('\n') + '\n';
}
