import restify from 'restify';
import { CloudAdapter } from 'botbuilder';
import { Application, TurnState } from '@microsoft/teams-ai';
import { Logger } from './dsr/ports';

/** Activities larger than this are refused: Teams messages are capped at 100 KB, invokes are smaller. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDeps {
  adapter: CloudAdapter;
  app: Application<TurnState>;
  /** Each answers true when what it checks responds; /readyz is 200 only when all do. */
  readinessChecks: Record<string, (signal: AbortSignal) => Promise<boolean>>;
  log: Logger;
}

/** restify: `POST /api/messages` for the Bot Connector, `GET /healthz` and `GET /readyz` for the platform. */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'dsr-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    await deps.adapter.process(req, res, (context) => deps.app.run(context).then(() => undefined));
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const signal = AbortSignal.timeout(3000);
    const entries = await Promise.all(
      Object.entries(deps.readinessChecks).map(async ([name, check]) => [name, await check(signal).catch(() => false)] as const),
    );
    const ready = entries.every(([, ok]) => ok);
    res.send(ready ? 200 : 503, { ready, checks: Object.fromEntries(entries) });
  });

  return server;
}
