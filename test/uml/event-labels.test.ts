// EventLabels (src/uml/event-labels.ts): a label per ledger row, 16-bit ids until there are
// more than 65535 distinct labels, then 32-bit; every row reads back what was set.
import { describe, expect, test } from 'vitest';
import { EventLabels } from '../../src/uml/event-labels.ts';

describe('event labels', () => {
  test('rows read back their label across growth and the 16 → 32-bit switch; unset rows are undefined', () => {
    const l = new EventLabels();
    const n = 70_000;
    for (let i = 0; i < n; i++) l.set(i * 2, `e${i % 66_000}`);
    for (let i = 0; i < n; i++) {
      expect(l.get(i * 2)).toBe(`e${i % 66_000}`);
      expect(l.has(i * 2 + 1)).toBe(false);
    }
    expect(l.get(10 * n)).toBeUndefined();
  });
});
