// --clock priced: the kernel clock also advances by the cost model's price of every host
// syscall, so host-side overhead takes simulated time and timer ticks land inside it.
import { describe, expect, test } from 'vitest';
import { kernelConfig } from '../../src/kernel/config.ts';
import { ledgerBytes } from '../../src/cost-model/ledger-bytes.ts';
import { price, totalNs } from '../../src/cost-model/price.ts';
import { loadProfile } from '../../src/cost-model/profile.ts';
import { runUml } from '../../src/uml/machine.ts';
import { SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

const cost = loadProfile('calibrated-local');
const cfg = kernelConfig(PROFILES['uml-6.1'].kernel);
const pricer = (e: Parameters<typeof price>[0]) => totalNs(price(e, cost, ledgerBytes(e, cfg)));
const run = (priced: boolean) =>
  runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload('getpid:2000'), hz: 1000, pricer: priced ? pricer : undefined });

describe('the priced clock', () => {
  test('2000 emulated getpids take ~27 ms of host-side time (13.5 µs each, calibrated-local): ticks arrive only on the priced clock', () => {
    const plain = run(false);
    const priced = run(true);
    expect(plain.guestEvents['signal:SIGALRM'] ?? 0).toBe(0);
    expect(priced.guestEvents['signal:SIGALRM']).toBeGreaterThan(10);
    expect(priced.kernel!.state.clockNs).toBeGreaterThan(plain.kernel!.state.clockNs + 10_000_000);
  });
  test('it is deterministic: the same run twice gives the same clock and ledger length', () => {
    const a = run(true);
    const b = run(true);
    expect(a.kernel!.state.clockNs).toBe(b.kernel!.state.clockNs);
    expect(a.kernel!.ledger.length).toBe(b.kernel!.ledger.length);
    expect(a.guestDigest).toBe(b.guestDigest);
  });
});
