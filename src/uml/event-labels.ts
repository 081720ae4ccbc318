// Which guest event each UML host call served (`ptsim trace`'s guestEvent): a label id per
// ledger row in a growable Uint16Array (Uint32Array once there are 65535 labels) with the
// labels interned, instead of a Map entry and a fresh string per host call. Rows no mark
// claimed (other callers) read as undefined.
export class EventLabels {
  private ids: Uint16Array | Uint32Array = new Uint16Array(1024);
  private readonly names: string[] = [''];
  private readonly byName = new Map<string, number>();

  /** The last label set and its id: a run labels runs of rows with one label (a guest syscall's calls). */
  private lastLabel: string | null = null;
  private lastId = 0;

  set(seq: number, label: string): void {
    let id = label === this.lastLabel ? this.lastId : this.byName.get(label);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(label);
      this.byName.set(label, id);
    }
    this.lastLabel = label;
    this.lastId = id;
    if (seq >= this.ids.length || (id > 0xffff && this.ids instanceof Uint16Array)) {
      let n = this.ids.length;
      while (n <= seq) n = Math.ceil(n * 1.25);
      const next = id > 0xffff || this.ids instanceof Uint32Array ? new Uint32Array(n) : new Uint16Array(n);
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[seq] = id;
  }

  /** An independent copy (a forked simulation's tracer, boot-cache.ts). */
  copy(): EventLabels {
    const c = new EventLabels();
    c.ids = this.ids.slice();
    c.names.push(...this.names.slice(1));
    for (const [k, v] of this.byName) c.byName.set(k, v);
    c.lastLabel = this.lastLabel;
    c.lastId = this.lastId;
    return c;
  }

  has(seq: number): boolean {
    return seq < this.ids.length && this.ids[seq] !== 0;
  }

  get(seq: number): string | undefined {
    const id = seq < this.ids.length ? this.ids[seq]! : 0;
    return id === 0 ? undefined : this.names[id];
  }
}
