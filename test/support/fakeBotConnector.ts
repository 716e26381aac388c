import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** Something the bot sent to the Bot Connector. */
export interface SentActivity {
  conversationId: string;
  /** 'send' for a new message, 'update' for a card replaced in place. */
  kind: 'send' | 'update';
  activityId: string;
  /** The Authorization header the bot sent it with (none in sandbox mode). */
  authorization?: string;
  activity: {
    type: string;
    text?: string;
    attachments?: { contentType: string; content: Record<string, unknown> }[];
    [key: string]: unknown;
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
}

/**
 * A Bot Connector on loopback, as Teams' is to a bot: it takes the bot's messages and card
 * updates over the real REST protocol and remembers them for the test to read.
 */
export class FakeBotConnector {
  readonly sent: SentActivity[] = [];
  private server: Server | undefined;
  private counter = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url?.split('?')[0] ?? '');
        if (!match) {
          res.writeHead(404);
          res.end();
          return;
        }
        const body = await readJson(req);
        const conversationId = decodeURIComponent(match[1]);
        const kind = req.method === 'PUT' ? 'update' : 'send';
        const activityId = kind === 'update' ? decodeURIComponent(match[2]!) : `activity-${++this.counter}`;
        const authorization = req.headers.authorization;
        this.sent.push({ conversationId, kind, activityId, ...(authorization && { authorization }), activity: body as SentActivity['activity'] });
        res.writeHead(kind === 'update' ? 200 : 201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: activityId }));
      })();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** What went to one conversation, oldest first. */
  to(conversationId: string): SentActivity[] {
    return this.sent.filter((s) => s.conversationId === conversationId);
  }

  /** The newest card (sent or replaced) in a conversation whose JSON contains `text`. */
  latestCard(conversationId: string, text: string): SentActivity | undefined {
    return this.to(conversationId)
      .filter((s) => s.activity.attachments?.some((a) => JSON.stringify(a.content).includes(text)))
      .at(-1);
  }
}

/** All the text of a sent activity: its message text and its cards as JSON. */
export function contentOf(sent: SentActivity): string {
  return [sent.activity.text ?? '', ...(sent.activity.attachments ?? []).map((a) => JSON.stringify(a.content))].join('\n');
}
