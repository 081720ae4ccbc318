// The simulator runs in the browser: src/kernel, src/ptrace, src/uml, src/teach and everything
// the web bundle (web/main.ts) imports, transitively, must not import a Node builtin
// (`node:*` or a bare builtin name) nor use Node-only globals. Walks the real import graph.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const LAYERS = ['src/kernel', 'src/ptrace', 'src/uml', 'src/teach'];
const ENTRIES = ['web/main.ts', 'web/render.ts', 'web/diagram.ts'];
/** Packages the browser bundle may use. */
const ALLOWED_PACKAGES = new Set(['immer']);
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]!]));

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Runtime imports of a module (type-only imports and exports are erased by the compiler). */
export function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*['"]([^'"]+)['"]/gm)) if (!m[2]) out.push(m[4]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Node-only globals used in code (comments and string literals ignored). */
export function nodeGlobals(text: string): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
    .replace(/\/\/.*$/gm, '');
  return [...new Set([...code.matchAll(/\b(process|Buffer)\s*\.|\brequire\s*\(|\b__dirname\b|\b__filename\b/g)].map((m) => m[0].replace(/\s+/g, '')))];
}

function walk(): { files: Set<string>; problems: string[] } {
  const files = new Set<string>();
  const problems: string[] = [];
  const todo = [...LAYERS.flatMap(tsFiles), ...ENTRIES];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const spec of runtimeImports(text)) {
      const bare = spec.split('?')[0]!;
      if (bare.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(f), bare));
        if (target.endsWith('.ts')) todo.push(target);
        else if (!target.endsWith('.json')) problems.push(`${f}: import '${spec}' is neither .ts nor .json`);
      } else if (bare.startsWith('node:') || BUILTINS.has(bare.split('/')[0]!)) {
        problems.push(`${f}: imports the Node builtin '${spec}'`);
      } else if (!ALLOWED_PACKAGES.has(bare)) {
        problems.push(`${f}: imports the package '${spec}' (not allowed in the browser bundle)`);
      }
    }
    for (const g of nodeGlobals(text)) problems.push(`${f}: uses the Node global '${g}'`);
  }
  return { files, problems };
}

describe('no Node-only code in the browser layers', () => {
  it('the import graph of src/kernel, src/ptrace, src/uml, src/teach and web/ has no Node builtin', () => {
    const { files, problems } = walk();
    expect(problems).toEqual([]);
    // the graph really reaches the layers the web bundle reuses
    for (const f of ['src/kernel/kernel.ts', 'src/uml/machine.ts', 'src/conformance/sim-runner.ts', 'src/batch/check.ts', 'src/cost-model/price.ts', 'src/cli/demo.ts']) expect(files.has(f), f).toBe(true);
  });

  it('the checker catches what it must (negative space)', () => {
    expect(runtimeImports("import { readFileSync } from 'node:fs';\nimport type { X } from './x.ts';\nexport { y } from './y.ts';\nconst z = await import('zlib');")).toEqual(['node:fs', './y.ts', 'zlib']);
    expect(runtimeImports("// import { a } from 'node:fs'\nimport fs from 'fs';")).toEqual(['fs']);
    expect(BUILTINS.has('fs') && BUILTINS.has('child_process')).toBe(true);
    expect(nodeGlobals("import { x } from './process.ts'; // process.env\nconst s = 'Buffer.from';")).toEqual([]);
    expect(nodeGlobals('const h = Buffer.from(v).toString("hex"); if (process.env.X) require("fs");')).toEqual(['Buffer.', 'process.', 'require(']);
  });
});

describe('the batch checker\'s canonical form without Node', () => {
  it('hex of bytes is the same with and without Buffer (src/batch/canonical.ts)', async () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    const withNode = (await import('../../src/batch/canonical.ts')).canonicalJson({ b: bytes });
    // a fresh module instance with no Buffer in sight, as in the browser
    vi.resetModules();
    vi.stubGlobal('Buffer', undefined);
    try {
      const fresh = await import('../../src/batch/canonical.ts');
      expect(fresh.canonicalJson({ b: bytes })).toBe(withNode);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    expect(withNode).toBe(JSON.stringify({ b: Buffer.from(bytes).toString('hex') }));
  });
});
