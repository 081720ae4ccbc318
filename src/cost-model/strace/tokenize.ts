// The tokenizer for strace's argument syntax: splits `name(arg, {a=1, b=[2, 3]}, "s\"x"...)`
// at top-level commas, skipping strings (with escapes and a trailing `...`), nested
// braces/brackets/parens and `/* comments */`. Pure string work, no knowledge of syscalls.

/** Thrown for text this tokenizer cannot split; the reader adds the line number. */
export class SyntaxFault extends Error {}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Index of the `)` that closes the `(` at `open`, or -1 if the text ends first.
 * Preconditions: text[open] === '('.
 */
export function matchParen(text: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new SyntaxFault('unterminated /* comment');
      i = end + 1;
      continue;
    }
    if (c in OPEN) stack.push(OPEN[c]!);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) throw new SyntaxFault(`unbalanced '${c}' at column ${i + 1}`);
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Index of the closing quote of the string starting at `i` (text[i] === '"'). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  throw new SyntaxFault('unterminated string');
}

/** Split an argument list (the text between the call's parentheses) at top-level commas; comments dropped, items trimmed. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = skipString(text, i);
      cur += text.slice(i, end + 1);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new SyntaxFault('unterminated /* comment');
      i = end + 1;
    } else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else {
      if (c in OPEN) depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth < 0) throw new SyntaxFault(`unbalanced '${c}'`);
      }
      cur += c;
    }
  }
  if (depth !== 0) throw new SyntaxFault('unbalanced brackets in arguments');
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

/** `0x1f`, `-1`, `17` → bigint; anything else → undefined. */
export function parseNumber(text: string): bigint | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return BigInt(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  return undefined;
}

/** The `key=value` fields of a `{…}` struct as strace prints it (nested values kept as text). */
export function structFields(text: string): Map<string, string> {
  const t = text.trim();
  const m = new Map<string, string>();
  if (!t.startsWith('{') || !t.endsWith('}')) return m;
  for (const item of splitArgs(t.slice(1, -1))) {
    const eq = item.indexOf('=');
    if (eq > 0) m.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return m;
}
