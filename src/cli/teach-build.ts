// Build the teaching view (web/) into a static site with vite's JS API: one self-contained
// index.html (the bundle as a classic inline script, the CSS inline), so it works offline
// from file:// — a browser refuses module scripts from file:// — or from any static server.
// vite is a devDependency: `ptsim teach` needs `npm ci` (not --omit=dev).
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');

/** Inline the JS chunk and CSS into index.html and drop the separate files. */
function inlineIntoHtml(): Plugin {
  return {
    name: 'ptsim-inline-into-html',
    enforce: 'post',
    generateBundle(_opts, bundle) {
      const html = Object.values(bundle).find((b) => b.type === 'asset' && b.fileName === 'index.html');
      if (!html || html.type !== 'asset') throw new Error('teach build: no index.html in the bundle');
      let text = String(html.source);
      for (const [name, b] of Object.entries(bundle)) {
        if (b.type === 'chunk') {
          const tag = new RegExp(`<script[^>]*src="[^"]*${b.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*></script>`);
          if (!tag.test(text)) throw new Error(`teach build: no script tag for ${b.fileName}`);
          text = text.replace(tag, '');
          // At the end of <body>: a classic script (no type=module), `</script` escaped.
          text = text.replace('</body>', () => `<script>${b.code.replace(/<\/script/gi, '<\\/script')}</script>\n</body>`);
          delete bundle[name];
        } else if (b.fileName.endsWith('.css')) {
          const tag = new RegExp(`<link[^>]*href="[^"]*${b.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`);
          text = text.replace(tag, () => `<style>${String(b.source)}</style>`);
          delete bundle[name];
        }
      }
      html.source = text;
    },
  };
}

export interface TeachBuild {
  readonly dir: string;
  readonly file: string;
  readonly bytes: number;
}

export async function buildTeach(outDir: string): Promise<TeachBuild> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const { build } = await import('vite');
  await build({
    root: WEB_DIR,
    base: './',
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    plugins: [inlineIntoHtml()],
    build: {
      outDir: dir,
      emptyOutDir: true,
      modulePreload: false,
      cssCodeSplit: false,
      assetsInlineLimit: Number.MAX_SAFE_INTEGER,
      target: 'es2022',
      rollupOptions: { output: { format: 'iife' } },
    },
  });
  const file = join(dir, 'index.html');
  const text = readFileSync(file, 'utf8');
  if (/<script[^>]+src=|<link[^>]+href="(?!data:)/.test(text)) throw new Error('teach build: index.html still loads a separate file');
  return { dir, file, bytes: statSync(file).size };
}
