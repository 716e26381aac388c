import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, currentApprovalCard, fileRequest, stateOf } from '../support/flowSteps';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(180_000);

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, diego: TenantUser;

beforeAll(async () => {
  // Digests written as soon as a request closes, so that the scan reads them too.
  stack = await startBotStack('own-traces', { DSR_PURGE_GRACE_DAYS: '0' }, undefined, { anchorDelayMs: 0 });
  [priya, marco, diego] = ['Priya', 'Marco', 'Diego'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

/** Every place in Azurite where a value could sit: each table entity, each blob (ZIPs opened), each queue message (base64 decoded too). */
async function everythingStored(connectionString: string): Promise<{ where: string; text: string }[]> {
  const found: { where: string; text: string }[] = [];
  for await (const table of TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true }).listTables()) {
    const client = TableClient.fromConnectionString(connectionString, table.name!, { allowInsecureConnection: true });
    for await (const entity of client.listEntities()) found.push({ where: `table ${table.name}/${entity.rowKey}`, text: JSON.stringify(entity) });
  }
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for await (const container of blobs.listContainers()) {
    const client = blobs.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat({ includeMetadata: true })) {
      const content = await client.getBlobClient(blob.name).downloadToBuffer();
      const where = `blob ${container.name}/${blob.name}`;
      found.push({ where, text: `${blob.name} ${JSON.stringify(blob.metadata ?? {})} ${content.toString('utf8')}` });
      if (blob.name.endsWith('.zip')) for (const [path, file] of await unzip(content)) found.push({ where: `${where}!${path}`, text: file.toString('utf8') });
    }
  }
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) {
    const peeked = await queues.getQueueClient(queue.name).peekMessages({ numberOfMessages: 32 });
    for (const message of peeked.peekedMessageItems) {
      found.push({ where: `queue ${queue.name}`, text: `${message.messageText} ${Buffer.from(message.messageText, 'base64').toString('utf8')}` });
    }
  }
  return found;
}

function tracesOf(user: TenantUser, stored: { where: string; text: string }[]): string[] {
  const values = [user.aadObjectId, user.email, user.upn, user.displayName].map((v) => v.toLowerCase());
  return stored.filter((s) => values.some((v) => s.text.toLowerCase().includes(v))).map((s) => s.where);
}

describe("erasure reaches the bot's own traces", () => {
  it('leaves no table entity, blob or queue message naming the subject, and the receipt still reaches them', async () => {
    const chat = stack.teams.personalConversationId(diego);
    const exportId = await fileRequest(stack, diego, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
    await approveBy(stack, exportId, [priya]);
    await waitFor('the download card', () => stack.connector.latestCard(chat, `Your data is ready: ${exportId}`));
    await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'report');
    // The reply goes to the channel thread (`<channel>;messageid=…`).
    await waitFor('the register report', () => stack.connector.sent.find((s) => s.conversationId.startsWith(stack.teams.complianceChannelId) && contentOf(s).includes('Download the register')));

    // What a system-logs export of that request would have left had it failed or crashed before cleaning up (its
    // container, the subject's logs in it), and the leftover of someone else's request, which stays.
    const blobs = BlobServiceClient.fromConnectionString(stack.azurite.connectionString);
    const leftover = blobs.getContainerClient(`dsr-export-${exportId.toLowerCase()}`);
    const someoneElses = blobs.getContainerClient('dsr-export-dsr-2020-0001');
    await Promise.all([leftover.create(), someoneElses.create()]);
    const logs = JSON.stringify({ userPrincipalName: diego.upn });
    await leftover.getBlockBlobClient('op-1/SignIns.json').upload(logs, Buffer.byteLength(logs));

    const before = await everythingStored(stack.azurite.connectionString);
    // The subject is there to be erased: their chat, their package, their requests.
    expect(tracesOf(diego, before).some((where) => where.startsWith('table dsrconversations'))).toBe(true);
    expect(tracesOf(diego, before).some((where) => where.includes('.zip!'))).toBe(true);
    expect(before.some((s) => s.where.includes('register/'))).toBe(true);

    const eraseId = await fileRequest(stack, diego, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra,botStore' });
    const approval = await approvalCardFor(stack, eraseId);
    await waitFor('the leftover container on the approval card', () => JSON.stringify(currentApprovalCard(stack, approval)).includes('1 leftover system-logs export'));
    await approveBy(stack, eraseId, [priya, marco]);
    await waitFor('the soft delete', async () => (await stateOf(stack, eraseId)) === 'soft_deleted');
    const receipt = await waitFor('the receipt in the subject’s chat', () => stack.connector.latestCard(chat, 'Erasure receipt'));
    expect(contentOf(receipt)).toMatch(/conversation reference/);
    expect(await stack.bot.executor.enqueueDuePurges()).toBeGreaterThanOrEqual(1);
    await waitFor('the purge', async () => (await stateOf(stack, eraseId)) === 'purged');
    await stack.bot.erasureFollowUp.sweep();
    await stack.bot.anchor.idle();

    const after = await everythingStored(stack.azurite.connectionString);
    expect(after.some((s) => s.where.startsWith('blob audit-digests/'))).toBe(true);
    expect(tracesOf(diego, after)).toEqual([]);
    expect(await leftover.exists()).toBe(false);
    expect(await someoneElses.exists()).toBe(true);
    // The scan reads what it should: the approvers, who stay, are still found.
    expect(tracesOf(priya, after).length).toBeGreaterThan(0);
  });
});
