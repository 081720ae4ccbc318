// What a run reports from its ledger: UML's start-up host calls, the run phase's counts, and
// every UML host call from the end of start-up on handed to `onEntry` (the CLI prices them),
// in ledger order. Rows are consumed as the ledger drains them (streaming: flat memory for
// runs of millions of host calls) or all at the end; the result is the same either way.
import { LedgerTally, type LedgerCounts } from '../kernel/ledger-stats.ts';
import type { LedgerEntry } from '../kernel/ledger.ts';
import type { Ledger } from '../kernel/ledger-store.ts';

/** Rows held before a streaming run drains them. */
export const STREAM_ROWS_MAX = 4096;

export class RunLedger {
  /** Seq where start-up ends and where the run phase starts (Infinity until set). */
  startupEnd = Infinity;
  runFrom = Infinity;
  startupCalls = 0;
  /** The kernel clock at UML's first host call after start-up (cost-model/clock.ts), null before. */
  runStartClockNs: number | null = null;
  private readonly run = new LedgerTally();
  private consumed = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly uml: number,
    private readonly onEntry?: (entry: LedgerEntry) => void,
  ) {}

  /** Drain mode: the ledger hands its rows here, then forgets them. */
  stream(rowsMax = STREAM_ROWS_MAX): void {
    this.ledger.setDrain(rowsMax, (from, to) => this.consume(from, to));
  }

  /** Mark the end of start-up / the start of the run phase at the ledger's current length. */
  endStartup(): void {
    this.startupEnd = this.ledger.length;
  }

  startRun(): void {
    this.runFrom = this.ledger.length;
  }

  /** Rows [from, to): UML's rows counted by phase and passed on (each row once). */
  private consume(from: number, to: number): void {
    const l = this.ledger;
    for (let i = Math.max(from, this.consumed); i < to; i++) {
      if (l.pidAt(i) !== this.uml) continue;
      if (i < this.startupEnd) {
        this.startupCalls++;
        continue;
      }
      if (this.runStartClockNs === null) this.runStartClockNs = l.clockNsAt(i);
      if (i >= this.runFrom) this.run.addRow(l, i);
      this.onEntry?.(l.at(i)!);
    }
    this.consumed = Math.max(this.consumed, to);
  }

  /** The rows not consumed yet, then the run phase's counts. */
  finish(): LedgerCounts {
    this.consume(this.consumed, this.ledger.length);
    return this.run.counts();
  }
}
