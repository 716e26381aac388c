// Bundles the dashboard tab's web app (src/tab/web) into dist/tab-web: index.html + app.js for the
// tab, config.html + config.js for the channel tab's configuration page. Run by `npm run build`
// after tsc has type-checked it (tsconfig.web.json).
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src', 'tab', 'web');
const out = path.join(root, 'dist', 'tab-web');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: path.join(source, 'main.tsx'), config: path.join(source, 'config.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome120', 'edge120', 'firefox120', 'safari16'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const page of ['index.html', 'config.html']) copyFileSync(path.join(source, page), path.join(out, page));
