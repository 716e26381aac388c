import { createHash } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { TenantUser } from '../../src/sandbox/tenant';
import { BotStack, startBotStack } from '../support/botStack';
import { SentActivity } from '../support/fakeBotConnector';
import { approvalCardFor, cardOf, currentApprovalCard, fileRequest } from '../support/flowSteps';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';

/**
 * Entra system-generated logs end to end, as Teams drives the bot: the first package at once, the
 * Graph export polled while the cards show its progress, the logs as a second package in the same
 * chat; a failed export retried by an approver; a late one warned about before the deadline
 * reminder; a restart in between that still starts exactly one export.
 */
jest.setTimeout(180_000);

const DAY = 24 * 60 * 60 * 1000;
/** The bot's clock: real time (the SAS it signs must be valid in Azurite), moved forward by the late-export test. */
const clock = {
  offsetMs: 0,
  now() {
    return new Date(Date.now() + this.offsetMs);
  },
};

let stack: BotStack;
let priya: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser, lee: TenantUser;

const SERVICES = 'entra,botStore,systemLogs';
const request = async (id: string) => (await stack.bot.store.get(id))!.request;
const text = (value: unknown) => JSON.stringify(value ?? {});
const downloadCards = (chat: string) => stack.connector.to(chat).filter((s) => s.kind === 'send' && text(cardOf(s)).includes('Download your data'));
const exportPosts = async () => {
  const stats = await (await fetch(`${stack.sandbox.graph}/_sandbox/stats`)).json() as { requests: Record<string, number> };
  return stats.requests['POST /v1.0/users/{id}/exportPersonalData'] ?? 0;
};
const latestStatus = (chat: string, id: string) => stack.connector.to(chat).filter((s) => text(cardOf(s)).includes(id)).at(-1);

async function fileAndApprove(user: TenantUser): Promise<{ id: string; approval: SentActivity }> {
  const id = await fileRequest(stack, user, 'export my data', { kind: 'export', regime: 'GDPR', services: SERVICES });
  const approval = await approvalCardFor(stack, id);
  expect(text(cardOf(approval))).toContain('1 export of system-generated logs');
  const answer = await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id }, approval.activityId);
  expect(answer.status).toBe(200);
  return { id, approval };
}

async function packageFiles(card: SentActivity): Promise<Map<string, Buffer>> {
  const url = (cardOf(card).actions as { url: string }[])[0].url;
  return unzip(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

function expectManifestHolds(files: Map<string, Buffer>): { path: string; sha256: string }[] {
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { files: { path: string; sha256: string }[] };
  for (const entry of manifest.files) expect(createHash('sha256').update(files.get(entry.path)!).digest('hex')).toBe(entry.sha256);
  return manifest.files;
}

beforeAll(async () => {
  // The sandbox Graph (spawned with this environment) takes a few seconds per export.
  process.env.SANDBOX_GRAPH_EXPORT_DELAY_MS = '6000';
  stack = await startBotStack('system-logs', { DSR_SERVICES: SERVICES, DSR_SERVICE_EXPORT_POLL_SECONDS: '1' }, undefined, { clock, sweepMs: 250 });
  [priya, alex, megan, diego, lee] = ['Priya', 'Alex', 'Megan', 'Diego', 'Lee'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  delete process.env.SANDBOX_GRAPH_EXPORT_DELAY_MS;
  await stack?.stop();
});

describe('system-generated logs', () => {
  it('sends the first package at once, shows the export’s progress, then the logs as a second package in the same chat', async () => {
    const postsBefore = await exportPosts();
    const { id, approval } = await fileAndApprove(alex);
    const chat = stack.teams.personalConversationId(alex);

    const first = await waitFor('the first package', () => downloadCards(chat)[0]);
    const firstFiles = await packageFiles(first);
    expect(expectManifestHolds(firstFiles).map((f) => f.path)).toEqual(expect.arrayContaining(['entra/profile.json']));
    expect([...firstFiles.keys()].some((path) => path.startsWith('system-logs/'))).toBe(false);
    expect((await request(id)).state).toBe('awaiting_service_export');

    await waitFor('the status card showing the export pending', () => text(cardOf(latestStatus(chat, id)!)).match(/export (requested|running)/));
    expect(text(currentApprovalCard(stack, approval))).toMatch(/export (requested, not started yet|running) \(\d+%\)/);

    const second = await waitFor('the second package', () => downloadCards(chat)[1]);
    const secondFiles = await packageFiles(second);
    const listed = expectManifestHolds(secondFiles).map((f) => f.path);
    const logs = listed.filter((path) => path.startsWith('system-logs/'));
    expect(logs.length).toBeGreaterThanOrEqual(3);
    expect(logs.map((path) => secondFiles.get(path)!.toString()).join('\n')).toContain(alex.aadObjectId);
    expect(secondFiles.get('README.html')!.toString()).toContain('Entra system-generated logs');

    const done = await waitFor('the request completed', async () => ((await request(id)).state === 'completed' ? request(id) : undefined));
    expect(done.serviceExport).toMatchObject({ status: 'complete', starts: 1 });
    expect(done.deliveredTo).toBe('subject');
    expect(await exportPosts()).toBe(postsBefore + 1);
    // The container the bot gave Graph is gone once the package is written.
    const blobs = BlobServiceClient.fromConnectionString(stack.azurite.connectionString);
    expect(await blobs.getContainerClient(`dsr-export-${id.toLowerCase()}`).exists()).toBe(false);
  });

  it('tells approvers in their channel of a failed export (ids and dates only), and their Retry delivers the logs', async () => {
    const { id, approval } = await fileAndApprove(megan);
    await waitFor('the export started', async () => (await request(id)).serviceExport?.operation);
    // Graph cannot write into a container that is gone: its export fails.
    await BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient(`dsr-export-${id.toLowerCase()}`).delete();

    const warning = await waitFor('the approvers told', () => stack.connector.to(stack.teams.channelId).find((s) => s.kind === 'send' && (s.activity.text ?? '').includes(`${id}: the export of Entra system-generated logs did not complete`)));
    for (const value of [megan.aadObjectId, megan.upn, megan.email, megan.displayName]) expect(warning.activity.text).not.toContain(value);
    expect(text(currentApprovalCard(stack, approval))).toContain('dsr.retry');
    expect(text(currentApprovalCard(stack, approval))).toContain('dsr.extend');

    const retried = await stack.teams.click(stack.user('Marco'), stack.teams.channelId, 'dsr.retry', { requestId: id }, approval.activityId);
    expect(text(retried.body.value)).toContain('Asked again');
    const chat = stack.teams.personalConversationId(megan);
    await waitFor('the second package after the retry', () => downloadCards(chat)[1]);
    expect(await waitFor('completed', async () => ((await request(id)).state === 'completed' ? request(id) : undefined))).toMatchObject({ serviceExport: { starts: 2 } });
  });

  it('warns approvers of an export still running 10 days before the due date, before the 7-day reminder', async () => {
    const { id } = await fileAndApprove(diego);
    await waitFor('the export started', async () => (await request(id)).serviceExport?.operation);
    clock.offsetMs = Date.parse((await request(id)).dueAt) - 10 * DAY - Date.now() + 60_000;
    try {
      const warning = await waitFor('the late warning', () => stack.connector.to(stack.teams.channelId).find((s) => (s.activity.text ?? '').includes(`${id}: the export of Entra system-generated logs is still running`)));
      expect(warning.activity.text).toContain('Extend the deadline');
      // The deadline reminder comes 7 days before: none has been claimed or posted for this request yet.
      expect((await request(id)).reminders ?? []).toEqual([]);
      expect(stack.connector.to(stack.teams.channelId).some((s) => (s.activity.text ?? '').startsWith(`Reminder: ${id}`))).toBe(false);
      await waitFor('completed', async () => (await request(id)).state === 'completed');
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('starts exactly one Graph export across a bot restart between start and completion', async () => {
    const postsBefore = await exportPosts();
    const { id } = await fileAndApprove(lee);
    await waitFor('the export started', async () => (await request(id)).serviceExport?.operation);
    await stack.restartBot();
    await waitFor('completed after the restart', async () => (await request(id)).state === 'completed', 60_000);
    expect(await exportPosts()).toBe(postsBefore + 1);
    await waitFor('the second package after the restart', () => downloadCards(stack.teams.personalConversationId(lee))[1]);
    expect(downloadCards(stack.teams.personalConversationId(lee))).toHaveLength(2);
  });
});
