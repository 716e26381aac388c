import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JsonStateStore, SandboxHttpError, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../../src/sandbox/common';

/** A toy service with its own error shape, as another Azure service would have. */
function startToyService(maxBodyBytes?: number): Promise<RunningSandboxServer> {
  return startSandboxServer({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes,
    authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
    formatError: (error, { requestId }) => ({ toyError: { status: error.status, code: error.code ?? 'Default', requestId } }),
    routes: [
      { method: 'GET', pattern: '/things/special', handler: () => ({ status: 200, body: { special: true } }) },
      { method: 'GET', pattern: '/things/{id}/parts/{part}', handler: ({ params }) => ({ status: 200, body: params }) },
      { method: 'PUT', pattern: '/things/{id}', handler: ({ body }) => ({ status: 200, body: { echoed: body } }) },
      { method: 'DELETE', pattern: '/things/{id}', handler: () => { throw new SandboxHttpError(409, 'busy', 'Conflict'); } },
      { method: 'GET', pattern: '/broken', handler: () => { throw new Error('secret personal detail'); } },
    ],
  });
}

const BEARER = { Authorization: 'Bearer any-token' };

async function call(server: RunningSandboxServer, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${server.url}${path}`, { method, headers: init.headers, body: init.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('sandbox server', () => {
  let server: RunningSandboxServer;

  beforeEach(async () => {
    server = await startToyService(64);
  });

  afterEach(async () => {
    await server.close();
  });

  it('routes by method and pattern, literal routes first, with decoded params', async () => {
    const special = await call(server, 'GET', '/things/special', { headers: BEARER });
    const parts = await call(server, 'GET', '/things/a%40b/parts/wheel', { headers: BEARER });

    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(special.body).toEqual({ special: true });
    expect(parts.body).toEqual({ id: 'a@b', part: 'wheel' });
  });

  it("answers errors in the service's shape: thrown, unknown path, wrong method, handler bug", async () => {
    const conflict = await call(server, 'DELETE', '/things/1', { headers: BEARER });
    const unknown = await call(server, 'GET', '/nowhere', { headers: BEARER });
    const wrongMethod = await call(server, 'POST', '/things/1', { headers: BEARER });
    const bug = await call(server, 'GET', '/broken', { headers: BEARER });

    expect(conflict).toMatchObject({ status: 409, body: { toyError: { status: 409, code: 'Conflict' } } });
    expect(unknown).toMatchObject({ status: 404, body: { toyError: { code: 'Default' } } });
    expect(wrongMethod.status).toBe(405);
    expect(bug.status).toBe(500);
    expect(JSON.stringify(bug.body)).not.toContain('secret');
  });

  it('needs an Authorization header of an accepted scheme, and accepts any credential of it', async () => {
    const none = await call(server, 'GET', '/things/special');
    const basic = await call(server, 'GET', '/things/special', { headers: { Authorization: 'Basic abc' } });
    const sas = await call(server, 'GET', '/things/special', { headers: { Authorization: 'SharedAccessSignature sr=x&sig=y' } });

    expect(none).toMatchObject({ status: 401, body: { toyError: { status: 401 } } });
    expect(basic.status).toBe(401);
    expect(sas.status).toBe(200);
  });

  it('parses JSON bodies and refuses malformed or oversized ones', async () => {
    const headers = { ...BEARER, 'Content-Type': 'application/json' };
    const echoed = await call(server, 'PUT', '/things/1', { headers, body: '{"a":1}' });
    const malformed = await call(server, 'PUT', '/things/1', { headers, body: '{"a":' });
    const oversized = await call(server, 'PUT', '/things/1', { headers, body: JSON.stringify({ a: 'x'.repeat(100) }) });

    expect(echoed.body).toEqual({ echoed: { a: 1 } });
    expect(malformed).toMatchObject({ status: 400, body: { toyError: { status: 400 } } });
    expect(oversized.status).toBe(413);
  });

  it('injects faults matching method and path prefix, for their count, with Retry-After', async () => {
    const added = await call(server, 'POST', '/_sandbox/faults', {
      body: JSON.stringify({ status: 429, count: 2, retryAfterSeconds: 7, method: 'get', pathPrefix: '/things/' }),
    });

    const otherMethod = await call(server, 'PUT', '/things/1', { headers: BEARER, body: '{}' });
    const first = await call(server, 'GET', '/things/special', { headers: BEARER });
    const second = await call(server, 'GET', '/things/x/parts/y', { headers: BEARER });
    const third = await call(server, 'GET', '/things/special', { headers: BEARER });
    const stats = await call(server, 'GET', '/_sandbox/stats');

    expect(added).toMatchObject({ status: 201, body: { status: 429, count: 2, method: 'GET' } });
    expect(otherMethod.status).toBe(200);
    expect(first).toMatchObject({ status: 429, body: { toyError: { status: 429 } } });
    expect(first.headers.get('retry-after')).toBe('7');
    expect(second.status).toBe(429);
    expect(third.status).toBe(200);
    expect(stats.body).toEqual({
      requests: { 'PUT /things/{id}': 1, 'GET /things/special': 2, 'GET /things/{id}/parts/{part}': 1 },
      faultsServed: 2,
    });
  });

  it('keeps a permanent fault until faults are cleared, and resets stats on demand', async () => {
    await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ status: 500, count: -1 }) });
    const during = await Promise.all([1, 2, 3].map(() => call(server, 'GET', '/things/special', { headers: BEARER })));
    const cleared = await call(server, 'DELETE', '/_sandbox/faults');
    const after = await call(server, 'GET', '/things/special', { headers: BEARER });
    const reset = await call(server, 'POST', '/_sandbox/stats/reset');
    const stats = await call(server, 'GET', '/_sandbox/stats');

    expect(during.map((response) => response.status)).toEqual([500, 500, 500]);
    expect(cleared.status).toBe(204);
    expect(after.status).toBe(200);
    expect(reset.status).toBe(204);
    expect(stats.body).toEqual({ requests: {}, faultsServed: 0 });
  });

  it('refuses malformed fault rules with a message', async () => {
    const typo = await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ status: 429, retryAfter: 1 }) });
    const nothingToDo = await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ count: 2 }) });
    const badStatus = await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ status: 200 }) });
    const dropWithStatus = await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ drop: true, status: 503 }) });
    const dropFalse = await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ drop: false }) });

    expect(typo).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('retryAfter') } } });
    expect(nothingToDo.status).toBe(400);
    expect(badStatus.status).toBe(400);
    expect(dropWithStatus).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('no status') } } });
    expect(dropFalse).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('drop must be true') } } });
  });

  it('drops the connection of a request a drop rule matches, then answers the next', async () => {
    await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ drop: true, method: 'GET', pathPrefix: '/things' }) });

    await expect(call(server, 'GET', '/things/special', { headers: BEARER })).rejects.toThrow('fetch failed');
    const next = await call(server, 'GET', '/things/special', { headers: BEARER });

    expect(next).toMatchObject({ status: 200, body: { special: true } });
    expect((await call(server, 'GET', '/_sandbox/stats')).body.faultsServed).toBe(1);
  });

  it('delays an answer by delayMs, then answers normally', async () => {
    await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ delayMs: 150, count: 1 }) });
    const started = performance.now();

    const delayed = await call(server, 'GET', '/things/special', { headers: BEARER });

    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(delayed.status).toBe(200);
  });

  it('answers health without Authorization', async () => {
    expect((await call(server, 'GET', '/_sandbox/health')).status).toBe(200);
  });
});

describe('closing a sandbox server', () => {
  it('cuts a long injected delay short', async () => {
    const server = await startToyService();
    await call(server, 'POST', '/_sandbox/faults', { body: JSON.stringify({ delayMs: 120_000 }) });
    const pending = fetch(`${server.url}/things/special`, { headers: BEARER });
    await waitFor(async () => (await call(server, 'GET', '/_sandbox/stats')).body.faultsServed === 1);

    await server.close();

    await expect(pending).rejects.toThrow();
  });
});

describe('JSON state store', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'state-store-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeds a missing file, persists updates, and reloads them', async () => {
    const path = sandboxStatePath(dataDir, 'toy');
    const store = await JsonStateStore.open(path, () => ({ items: ['seed'] }));
    await store.update((state) => { state.items.push('added'); });

    const reopened = await JsonStateStore.open(path, () => ({ items: ['never used'] }));

    expect(path).toBe(join(dataDir, 'sandbox', 'toy.json'));
    expect(reopened.current.items).toEqual(['seed', 'added']);
    expect(await readdir(join(dataDir, 'sandbox'))).toEqual(['toy.json']);
  });

  it('leaves state and file untouched when a change throws', async () => {
    const path = sandboxStatePath(dataDir, 'toy');
    const store = await JsonStateStore.open(path, () => ({ count: 1 }));
    const before = await readFile(path, 'utf8');

    await expect(store.update((state) => { state.count = 2; throw new Error('refused'); })).rejects.toThrow('refused');

    expect(store.current.count).toBe(1);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('runs concurrent changes one after another', async () => {
    const store = await JsonStateStore.open(sandboxStatePath(dataDir, 'toy'), () => ({ count: 0 }));

    await Promise.all(Array.from({ length: 20 }, () => store.update((state) => { state.count += 1; })));
    const reopened = await JsonStateStore.open(sandboxStatePath(dataDir, 'toy'), () => ({ count: -1 }));

    expect(reopened.current.count).toBe(20);
  });

  it('refuses to reseed over a file that is not JSON', async () => {
    const path = sandboxStatePath(dataDir, 'toy');
    await JsonStateStore.open(path, () => ({}));
    await writeFile(path, '{ torn');

    await expect(JsonStateStore.open(path, () => ({}))).rejects.toThrow(SyntaxError);
  });
});
