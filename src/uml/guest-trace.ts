// The guest-visible record of a run (guest.ts `trace`), streamed into the digest as it is
// written: guestDigest = sha256 of the records, then `console:…` and `exit:…`, joined by
// newlines (the same bytes the whole list joined would give), so a long run keeps flat
// memory. The records themselves are kept only when asked (tests that read them).
import { newSha256 } from './sha256.ts';

export class GuestTrace {
  private readonly hash = newSha256();
  private count = 0;
  /**
   * Records not hashed yet, and their characters: one hash update per ~64 K characters, of
   * the records joined (a flat string made in one pass, not a rope of two concatenations per
   * record that the hash then flattens), not two per record (same bytes).
   */
  private readonly pending: string[] = [];
  private pendingChars = 0;
  /** Every record in order, or null when the run does not keep them. */
  readonly records: string[] | null;

  constructor(keep: boolean) {
    this.records = keep ? [] : null;
  }

  push(record: string): void {
    this.count++;
    this.pending.push(record);
    this.pendingChars += record.length + 1;
    if (this.pendingChars >= 65536) this.flush();
    this.records?.push(record);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    // The newline between the last record hashed and the first pending one.
    if (this.count > this.pending.length) this.hash.update('\n');
    this.hash.update(this.pending.join('\n'));
    this.pending.length = 0;
    this.pendingChars = 0;
  }

  get length(): number {
    return this.count;
  }

  /** The digest (16 hex digits) with the final lines appended; the trace is spent afterwards. */
  digest(final: readonly string[]): string {
    for (const line of final) this.push(line);
    this.flush();
    return this.hash.hex().slice(0, 16);
  }
}

/** Guest events counted as they happen, keys in first-seen order (`guestEvents`). */
export class GuestEventCounts {
  private readonly counts = new Map<string, number>();

  push(event: string): void {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
  }

  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.counts) out[k] = v;
    return out;
  }
}
