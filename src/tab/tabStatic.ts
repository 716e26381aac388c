import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type restify from 'restify';

/**
 * The built web app (esbuild's output, `npm run build`): `dist/tab-web/` beside `dist/src/`. Code
 * run from its sources (jest) sits in `src/tab/`, two folders below the repository's root.
 */
const COMPILED = __dirname.split(path.sep).includes('dist');
export const TAB_WEB_DIR = path.resolve(__dirname, COMPILED ? '../../tab-web' : '../../dist/tab-web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * `GET /tab/` and `GET /tab/<file>`: the web app's files, no sign-in (they hold no data). A path
 * outside the folder, a file that is not there, or no built app at all is a plain 404.
 */
export function serveTabFiles(server: restify.Server, dir = TAB_WEB_DIR): void {
  const notFound = (res: restify.Response): void => {
    res.send(404, { error: { code: 'NotFound' } });
  };
  server.get('/tab', (_req, res, next) => {
    res.redirect(301, '/tab/', next);
  });
  server.get('/tab/*', async (req: restify.Request, res: restify.Response): Promise<void> => {
    const relative = decodeURIComponent((req.path() ?? '').slice('/tab/'.length)) || 'index.html';
    const file = path.resolve(dir, relative);
    if (!file.startsWith(`${dir}${path.sep}`) || !TYPES[path.extname(file)]) return notFound(res);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notFound(res);
    }
    res.setHeader('content-type', TYPES[path.extname(file)]);
    res.setHeader('cache-control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=300');
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendRaw(200, body);
  });
}
