// A trie over identifier bytes ([A-Za-z0-9_], strace's names and constants): walked one byte
// at a time as a scanner reads a name, so that the name is found and recognised in one pass
// (no hash, no second comparison). Exact: a walk ends on an id only for a name that was added,
// byte for byte.

/** Per byte: its symbol (1…63) if it can be part of a name, else 0. */
export const NAME_SYMBOL = new Uint8Array(256);
{
  let sym = 1;
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_') NAME_SYMBOL[c.charCodeAt(0)] = sym++;
}
const SYMBOLS = 64;

export class NameTrie {
  /** Node n's child by symbol s at n * SYMBOLS + s (0: none; the root, node 0, is no one's child). */
  private edges = new Int32Array(SYMBOLS);
  /** Per node: 1 + the id of the name ending there, or 0. */
  private ends = new Int32Array(1);
  private nodes = 1;

  /** Adds `name` (identifier bytes only) with `id` (≥ 0); a name added twice keeps its first id. */
  add(name: string, id: number): void {
    let n = 0;
    for (let i = 0; i < name.length; i++) {
      const s = NAME_SYMBOL[name.charCodeAt(i)] ?? 0;
      if (s === 0 || name.charCodeAt(i) > 0xff) throw new Error(`NameTrie: "${name}" is not an identifier`);
      let next = this.edges[n * SYMBOLS + s]!;
      if (next === 0) next = this.edges[n * SYMBOLS + s] = this.grow();
      n = next;
    }
    if (this.ends[n] === 0) this.ends[n] = id + 1;
  }

  /** The node after symbol `s` from node `n`, or 0 (no name goes on that way). */
  step(n: number, s: number): number {
    return this.edges[n * SYMBOLS + s]!;
  }

  /** The id of the name that ends at node `n`, or -1. */
  idAt(n: number): number {
    return this.ends[n]! - 1;
  }

  /** The id of b[s, e) as a whole name, or -1. */
  get(b: Uint8Array, s: number, e: number): number {
    let n = 0;
    for (let i = s; i < e; i++) {
      n = this.edges[n * SYMBOLS + NAME_SYMBOL[b[i]!]!]!;
      if (n === 0) return -1;
    }
    return e > s ? this.idAt(n) : -1;
  }

  private grow(): number {
    const id = this.nodes++;
    if (this.nodes * SYMBOLS > this.edges.length) {
      const edges = new Int32Array(this.edges.length * 2);
      edges.set(this.edges);
      this.edges = edges;
      const ends = new Int32Array(this.edges.length / SYMBOLS);
      ends.set(this.ends);
      this.ends = ends;
    }
    return id;
  }
}
