import { AddressInfo } from 'node:net';
import restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';

/**
 * The reference of the load benchmark (bench/loadLatency.ts): the plainest botbuilder bot there
 * is, on the same stack as the DSR bot. A CloudAdapter with the DSR bot's (empty, sandbox) auth
 * settings, restify with the same body parser, and a turn that replies with the text it got.
 * Whatever the DSR bot takes beyond this is the DSR bot's own work.
 */
export async function startEchoBot(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppType: undefined,
    MicrosoftAppTenantId: '',
  });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}, credentials));
  const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
  // As src/server.ts: the same limit, the same parser.
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      if (context.activity.type === 'message') await context.sendActivity(context.activity.text ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Child-process entry: prints `{"url": ...}` once listening, stops on SIGTERM. */
if (require.main === module) {
  startEchoBot()
    .then((bot) => {
      process.stdout.write(`${JSON.stringify({ url: bot.url })}\n`);
      process.once('SIGTERM', () => void bot.close().then(() => process.exit(0)));
    })
    .catch((error: unknown) => {
      console.error('The echo bot failed to start:', error);
      process.exit(1);
    });
}
