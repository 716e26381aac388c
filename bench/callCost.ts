import path from 'node:path';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { startBenchChild } from './benchChildren';

/**
 * What one outgoing call of each kind the DSR bot makes costs a Node process on this machine, in
 * CPU microseconds: the bot's SDK clients (data-tables, storage-queue, storage-blob,
 * botframework-connector), built as the bot builds them, calling the same Azurite and loopback
 * connector as the bot under load. Each kind is timed one call at a time and four at a time, the
 * cheaper kept, with the smallest payloads (a one-letter message, rows of one property): so
 * `callFloorMs` of the bot's calls is less than any bot making those calls a few at a time could
 * spend. With dozens in flight (a burst) a call costs less than this.
 */
export const CALL_KINDS = [
  'tableRead',
  'tableWrite',
  'tableCreate',
  'tableTransaction',
  'queueSend',
  'queueReceive',
  'queueDelete',
  'blobRead',
  'blobWrite',
  'connectorPost',
  'connectorUpdate',
] as const;
export type CallKind = (typeof CALL_KINDS)[number];

const TIMED_CALLS = 300;
const WARM_UP_CALLS = 30;
/** Its own table, queue and container: nothing the bot reads. */
const NAME = 'callcost';

/** Runs the measurement in a child process of its own (this one serves the connector), and returns µs per call by kind. */
export async function measureCallCosts(storageConnectionString: string, connectorUrl: string): Promise<Record<CallKind, number>> {
  const child = await startBenchChild(path.join(__dirname, 'callCost.js'), ['measure'], {
    CALL_COST_STORAGE: storageConnectionString,
    CALL_COST_CONNECTOR: connectorUrl,
  });
  await child.exited;
  return JSON.parse(child.line) as Record<CallKind, number>;
}

/**
 * The least CPU a process making `storageCalls` (by route, as bench/storageCalls.ts counts them)
 * and `connectorCalls` (posts, card replacements) could spend on them, in ms, at `costs`. Routes
 * of no known kind count at the cheapest cost: the sum stays a floor.
 */
export function callFloorMs(costs: Record<CallKind, number>, storageCalls: Record<string, number>, connectorCalls: { posts: number; updates: number }): number {
  const cheapest = Math.min(...Object.values(costs));
  let us = connectorCalls.posts * costs.connectorPost + connectorCalls.updates * costs.connectorUpdate;
  for (const [route, count] of Object.entries(storageCalls)) {
    const kind = kindOf(route);
    us += count * (kind ? costs[kind] : cheapest);
  }
  return Math.round(us / 100) / 10;
}

/** The kind of a storage route (`PUT table:dsrrequests`, `POST table:$batch`, `GET queue:dsr-jobs`…). */
function kindOf(route: string): CallKind | undefined {
  const [method, place] = route.split(' ');
  const [service, name] = place?.split(':') ?? [];
  if (service === 'table') {
    if (name === '$batch') return 'tableTransaction';
    return ({ GET: 'tableRead', PUT: 'tableWrite', MERGE: 'tableWrite', PATCH: 'tableWrite', POST: 'tableCreate', DELETE: 'tableWrite' } as const)[method];
  }
  if (service === 'queue') return ({ POST: 'queueSend', GET: 'queueReceive', DELETE: 'queueDelete' } as const)[method];
  if (service === 'blob') return ({ GET: 'blobRead', PUT: 'blobWrite' } as const)[method];
  return undefined;
}

/** The calls of each kind, each given the index of its call. */
async function callsByKind(storage: string, connectorUrl: string): Promise<Record<CallKind, (i: number) => Promise<unknown>>> {
  // As src/storage/storageClients.ts builds them from a connection string.
  const table = TableClient.fromConnectionString(storage, NAME, { allowInsecureConnection: storage.includes('http://') });
  const queue = new QueueClient(storage, NAME);
  const container = BlobServiceClient.fromConnectionString(storage).getContainerClient(NAME);
  await Promise.all([table.createTable(), queue.createIfNotExists(), container.createIfNotExists()]);
  await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 0 });
  // The bot's connector client in sandbox mode: no app id, so anonymous.
  const connector = new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: connectorUrl });
  const conversation = 'a:call-cost';
  const message = { type: 'message', text: 'x' };
  // Each receive takes a message the sends left and hands it to a delete.
  const receivedItems: { messageId: string; popReceipt: string }[] = [];
  const received = async () => {
    const { receivedMessageItems: [item] } = await queue.receiveMessages();
    return item;
  };
  return {
    tableRead: () => table.getEntity('p', 'r'),
    tableWrite: (i) => table.updateEntity({ partitionKey: 'p', rowKey: 'r', value: i }, 'Replace'),
    tableCreate: (i) => table.createEntity({ partitionKey: 'created', rowKey: String(i).padStart(8, '0'), value: i }),
    // An audit append's shape: an entry and its anchor in one partition.
    tableTransaction: (i) => table.submitTransaction([
      ['create', { partitionKey: `chain-${i}`, rowKey: '00000001', value: i }],
      ['upsert', { partitionKey: `chain-${i}`, rowKey: 'head', value: i }, 'Replace'],
    ] satisfies TransactionAction[]),
    queueSend: () => queue.sendMessage('{}'),
    queueReceive: async () => {
      const item = await received();
      if (item) receivedItems.push(item);
    },
    queueDelete: async () => {
      const item = receivedItems.shift() ?? (await received());
      if (item) await queue.deleteMessage(item.messageId, item.popReceipt);
    },
    // The bot's reads of blobs on a request's way are listings (the register CSVs, an export's folder).
    blobRead: async () => {
      for await (const blob of container.listBlobsFlat({ prefix: 'register/' })) void blob;
    },
    blobWrite: (i) => container.getBlockBlobClient(`w-${i % 10}`).upload('x', 1),
    connectorPost: () => connector.conversations.sendToConversation(conversation, message),
    connectorUpdate: (i) => connector.conversations.updateActivity(conversation, `activity-${i}`, message),
  };
}

/** CPU µs per call of `call`: one at a time, then four at a time; the cheaper. */
async function timed(call: (i: number) => Promise<unknown>, first: number): Promise<number> {
  let next = first;
  for (let i = 0; i < WARM_UP_CALLS; i++) await call(next++);
  const perCall = async (inFlight: number) => {
    const before = process.cpuUsage();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < TIMED_CALLS / inFlight; i++) await call(next++);
    }));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / TIMED_CALLS;
  };
  return Math.round(Math.min(await perCall(1), await perCall(4)));
}

/** Child-process entry: measures every kind in turn, prints `{kind: µs}` as one line. */
async function measure(): Promise<void> {
  const calls = await callsByKind(process.env.CALL_COST_STORAGE!, process.env.CALL_COST_CONNECTOR!);
  const costs: Partial<Record<CallKind, number>> = {};
  let first = 0;
  for (const kind of CALL_KINDS) {
    costs[kind] = await timed(calls[kind], first);
    first += WARM_UP_CALLS + 2 * TIMED_CALLS;
  }
  process.stdout.write(`${JSON.stringify(costs)}\n`);
}

if (require.main === module && process.argv[2] === 'measure') {
  measure().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
