// The guest-visible record of a run (guest.ts `trace`), streamed into the digest as it is
// written: guestDigest = sha256 of the records, then `console:…` and `exit:…`, joined by
// newlines (the same bytes the whole list joined would give), so a long run keeps flat
// memory. The records themselves are kept only when asked (tests that read them).
import { newSha256 } from './sha256.ts';

export class GuestTrace {
  private readonly hash = newSha256();
  private count = 0;
  /** Records not yet hashed: one hash update per ~64 K characters, not two per record (same bytes). */
  private pending = '';
  /** Every record in order, or null when the run does not keep them. */
  readonly records: string[] | null;

  constructor(keep: boolean) {
    this.records = keep ? [] : null;
  }

  push(record: string): void {
    this.pending = this.count++ > 0 ? `${this.pending}\n${record}` : record;
    if (this.pending.length >= 65536) this.flush();
    this.records?.push(record);
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
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
