import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { DsrRequest, pseudonymFor } from '../../src/dsr';
import type { Manifest } from '../../src/storage/exportPackage';
import { digestText } from '../../src/bot/digestAnnouncer';
import { TenantUser } from '../../src/sandbox/tenant';
import { STORAGE_NAMES } from '../../src/storage/storageClients';
import { verifyAuditLog } from '../../src/tools/auditVerify';
import { exportRegister } from '../../src/tools/registerExport';
import { BotStack, startBotStack } from '../support/botStack';
import { parseCsv } from '../support/csv';
import { SentActivity } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { wordsFor } from '../../src/i18n';
import { parseEvents } from '../unit/cardChecks';

/**
 * The compliance officer's side: the audit chain of every event, the DSR register, the `report`
 * in the compliance channel, and retention, on a clock the test moves.
 */
jest.setTimeout(180_000);

const DAY = 24 * 60 * 60 * 1000;
const SANDBOX_KEY = 'sandbox-only-pseudonym-key';
let now = new Date('2026-03-02T09:00:00.000Z');
const clock = { now: () => new Date(now) };

let stack: BotStack;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, grace: TenantUser, diego: TenantUser, lee: TenantUser;
/** Request ids by the end state each is brought to. */
const ids: Record<string, string> = {};

const subjects = () => [alex, megan, grace, diego, lee];
const personalValues = (users: TenantUser[]) => users.flatMap((u) => [u.displayName, u.email, u.upn, u.aadObjectId]);
const requestOf = async (id: string) => (await stack.bot.store.get(id))!.request;
const events = async (id: string) => (await stack.bot.audit.entries(id)).map((e) => e.event);
const auditTable = () => TableClient.fromConnectionString(stack.azurite.connectionString, STORAGE_NAMES.auditTable, { allowInsecureConnection: true });
const rowKey = (sequence: number) => String(sequence).padStart(8, '0');
const verify = () => verifyAuditLog(stack.bot.audit, stack.bot.store, stack.bot.digests);
const moveClock = (days: number) => (now = new Date(now.getTime() + days * DAY));
/** Waits until the request is in `state` and its chain holds `lastEvent`: the job that got it there has finished. */
const settled = (id: string, state: string, lastEvent: string) =>
  waitFor(`${id} ${state} with '${lastEvent}' recorded`, async () => (await stateOf(stack, id)) === state && (await events(id)).includes(lastEvent), 60_000);
const complianceReplies = () => stack.connector.sent.filter((s) => s.conversationId.startsWith(stack.teams.complianceChannelId));

beforeAll(async () => {
  stack = await startBotStack(
    'compliance-records',
    // The clock stands still, so the per-minute message limit would count every message of the test together.
    { DSR_ERASE_APPROVALS: '1', DSR_MESSAGES_PER_MINUTE: '10000', DSR_INVOKES_PER_MINUTE: '10000', DSR_RETENTION_MONTHS: '24' },
    undefined,
    // Digests as soon as a request closes, so the test knows when they are written (anchor.idle()).
    { clock, sweepMs: 3_600_000, anchorDelayMs: 0 },
  );
  [priya, marco, alex, megan, grace, diego, lee] = ['Priya', 'Marco', 'Alex', 'Megan', 'Grace', 'Diego', 'Lee'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);

  // Filed first and left failed in part (DPS refuses every delete): overdue by the time of the report.
  const probe = new SandboxProbe(stack.sandbox);
  await probe.inject('dps', { status: 500, count: -1, method: 'DELETE' });
  ids.failed_partially = await fileRequest(stack, diego, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'dps,botStore' });
  await approveBy(stack, ids.failed_partially, [priya]);
  await settled(ids.failed_partially, 'failed_partially', 'failed partially');
  await probe.clearFaults('dps');

  // completed two days after it was filed: an export, delivered as a link.
  ids.completed = await fileRequest(stack, alex, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
  await approvalCardFor(stack, ids.completed);
  moveClock(2);
  await approveBy(stack, ids.completed, [priya]);
  await settled(ids.completed, 'completed', 'delivered');

  // rejected three days after, with a reason.
  ids.rejected = await fileRequest(stack, alex, 'please correct my data', { kind: 'rectify', regime: 'GDPR', services: 'entra', field: 'jobTitle', value: 'Senior Technician' });
  const rectifyCard = await approvalCardFor(stack, ids.rejected);
  moveClock(3);
  await stack.teams.click(marco, stack.teams.channelId, 'dsr.reject', { requestId: ids.rejected, reason: 'Job titles are set by HR' }, rectifyCard.activityId);
  await settled(ids.rejected, 'rejected', 'rejected');

  // cancelled by the subject.
  ids.cancelled = await fileRequest(stack, grace, 'I want to see my data', { kind: 'access', regime: 'CCPA', services: 'entra' });
  await approvalCardFor(stack, ids.cancelled);
  await stack.teams.say(grace, `cancel ${ids.cancelled}`);
  await settled(ids.cancelled, 'cancelled', 'cancelled');

  // soft-deleted, then purged once the grace period is over.
  ids.purged = await fileRequest(stack, megan, 'delete my data', { kind: 'erase', regime: 'CCPA', services: 'entra,botStore' });
  await approveBy(stack, ids.purged, [priya]);
  await settled(ids.purged, 'soft_deleted', 'delivered');
  moveClock(15);
  expect(await stack.bot.executor.enqueueDuePurges()).toBe(1);
  await settled(ids.purged, 'purged', 'purged');

  // soft-deleted four days after it was filed, its grace period still running.
  ids.soft_deleted = await fileRequest(stack, lee, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'entra,botStore' });
  await approvalCardFor(stack, ids.soft_deleted);
  moveClock(4);
  await approveBy(stack, ids.soft_deleted, [marco]);
  await settled(ids.soft_deleted, 'soft_deleted', 'delivered');

  // waiting for a manual step: IoT Central's alert rules have no API.
  ids.awaiting_manual_steps = await fileRequest(stack, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'iotCentral' });
  await approveBy(stack, ids.awaiting_manual_steps, [marco]);
  await settled(ids.awaiting_manual_steps, 'awaiting_manual_steps', 'awaiting manual steps');
});

afterAll(async () => {
  await stack?.stop();
});

describe('the audit trail', () => {
  it('records every event of a request, delivery included', async () => {
    expect(await events(ids.completed)).toEqual(['created', 'discovered', 'approved', 'execution started', 'step done', 'step done', 'package written', 'completed', 'delivered']);
    expect(await events(ids.rejected)).toEqual(['created', 'discovered', 'rejected']);
    expect(await events(ids.cancelled)).toEqual(expect.arrayContaining(['created', 'cancelled']));
    expect(await events(ids.purged)).toEqual(['created', 'discovered', 'approved', 'execution started', 'step done', 'step done', 'completed', 'delivered', 'purged']);
    expect(await events(ids.failed_partially)).toEqual(expect.arrayContaining(['step failed', 'failed partially']));
    expect(await events(ids.awaiting_manual_steps)).toEqual(expect.arrayContaining(['step done', 'awaiting manual steps']));
  });

  it('records the recipients a receipt told (GDPR Art. 19)', async () => {
    const delivered = (await stack.bot.audit.entries(ids.purged)).find((e) => e.event === 'delivered');
    expect(delivered?.detail).toEqual({ what: 'receipt', recipientsTold: 'entra', to: 'subject' });
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Erasure receipt'));
    expect(JSON.stringify(cardOf(receipt))).toContain('Services told of the change (GDPR Art. 19)');
  });

  it('gives the requester the head of the chain as it stood: in the export manifest and on the erasure receipt', async () => {
    const exported = await stack.bot.audit.entries(ids.completed);
    const written = exported.findIndex((e) => e.event === 'package written');
    const blobName = (await stack.bot.store.get(ids.completed))!.request.delivery!.blobName;
    const zip = await BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient(STORAGE_NAMES.exportsContainer).getBlobClient(blobName).downloadToBuffer();
    const manifest = JSON.parse((await unzip(zip)).get('manifest.json')!.toString()) as Manifest;
    expect(manifest.auditHead).toEqual({ count: written, hash: exported[written - 1].hash });

    const erased = await stack.bot.audit.entries(ids.purged);
    const completed = erased.findIndex((e) => e.event === 'completed') + 1;
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Erasure receipt'));
    expect(JSON.stringify(cardOf(receipt))).toContain(`Audit record: ${completed} entries so far, the last with hash ${erased[completed - 1].hash}.`);
  });

  it('keeps the subject out of every audit detail: ids, counts and dates only', async () => {
    const details = (await Promise.all(Object.values(ids).map((id) => stack.bot.audit.entries(id)))).flat().map((e) => JSON.stringify(e.detail)).join('\n');
    expect(details).toContain('the subject');
    for (const value of personalValues(subjects())) expect(details.toLowerCase()).not.toContain(value.toLowerCase());
  });

  it('finds every chain intact, anchored, and listed in the last digest', async () => {
    await stack.bot.anchor.idle();
    const result = await verify();
    expect(result.breaks).toEqual([]);
    expect(result.digestBreaks).toEqual([]);
    expect(result.chains).toBe(Object.keys(ids).length);
    expect(result.entries).toBeGreaterThan(30);
    expect(result.legacyEntries).toBe(0);
    // Each execution that ended asked for a digest; the last came after the last ending and its telling.
    expect(result.digests).toBeGreaterThan(1);
    expect(result.lastDigest?.chains).toBe(Object.keys(ids).length);
    expect(result.unanchored).toBe(0);
  });

  it('posts each digest to the compliance channel: its date, number, chains and root, nothing personal', async () => {
    await stack.bot.anchor.idle();
    const posts = complianceReplies().map((s) => s.activity.text ?? '').filter((text) => text.startsWith('Audit digest '));
    const digests = (await stack.bot.digests.list()).map((d) => d.digest!);
    expect(posts).toEqual(digests.map((digest) => digestText(wordsFor('en'), digest)));
    expect(posts.at(-1)).toMatch(new RegExp(`^Audit digest 2026-\\d\\d-\\d\\d \\(no\\. ${digests.length}\\): 7 chains, root [0-9a-f]{16}…$`));
    for (const value of personalValues(subjects())) expect(posts.join('\n')).not.toContain(value);
  });
});

describe('the DSR register', () => {
  let header: string[];
  let lines: string[][];
  const cell = (id: string, column: string) => lines.find((l) => l[0] === id)![header.indexOf(column)];

  beforeAll(async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-register-'));
    const written = await exportRegister(stack.bot.store, { outDir, pseudonymKey: SANDBOX_KEY, clock, locale: 'en' });
    [header, ...lines] = parseCsv(readFileSync(written.csvPath, 'utf8'));
    const json = JSON.parse(readFileSync(written.jsonPath, 'utf8')) as { count: number; requests: { requestId: string }[] };
    expect(json.requests.map((r) => r.requestId).sort()).toEqual(lines.map((l) => l[0]).sort());
  });

  it.each(['completed', 'rejected', 'cancelled', 'purged', 'soft_deleted', 'failed_partially', 'awaiting_manual_steps'])('keeps what 11 CCR §7101 asks for a request that is %s', (state) => {
    const id = ids[state];
    expect(cell(id, 'state')).toBe(state);
    for (const column of ['received_at', 'kind', 'regime', 'channel', 'filed_by', 'identity_verified_by', 'due_at', 'response', 'service_outcomes', 'subject_pseudonym']) {
      expect([column, cell(id, column)]).toEqual([column, expect.stringMatching(/\S/)]);
    }
    expect(cell(id, 'channel')).toBe('teams-chat');
    const open = state === 'failed_partially' || state === 'awaiting_manual_steps';
    expect(cell(id, 'open')).toBe(String(open));
    expect(cell(id, 'responded_at')).toMatch(open ? /^$/ : /^\d{4}-\d\d-\d\dT/);
    if (state !== 'rejected' && state !== 'cancelled') expect(cell(id, 'approved_by')).toMatch(/^(Priya Raman|Marco Bianchi) \(/);
  });

  it('names the basis of a denial, the recipients told and the outcome per service', () => {
    expect(cell(ids.rejected, 'denial_basis')).toBe('Job titles are set by HR');
    expect(cell(ids.rejected, 'rejected_by')).toMatch(/^Marco Bianchi \(/);
    expect(cell(ids.purged, 'recipients_told')).toBe('Entra ID');
    expect(cell(ids.soft_deleted, 'recipients_told')).toBe('Entra ID');
    expect(cell(ids.failed_partially, 'service_outcomes')).toMatch(/dps: failed \(0\)/);
    expect(cell(ids.completed, 'recipients_told')).toBe('');
  });

  it('names subjects by pseudonym only', async () => {
    expect(cell(ids.completed, 'subject_pseudonym')).toBe(pseudonymFor(alex.aadObjectId, SANDBOX_KEY));
    const everything = [header, ...lines].flat().join('\n').toLowerCase();
    for (const value of personalValues(subjects())) expect(everything).not.toContain(value.toLowerCase());
  });

  it('is written by npm run register:export', () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-register-cli-'));
    const run = spawnSync(process.execPath, ['dist/src/tools/registerExport.js', '--out', outDir], { env: cliEnv(), encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`register:export: ${Object.keys(ids).length} requests written`);
  });

  it('titles the CSV\'s columns in DSR_DEFAULT_LOCALE, keeping the values and the JSON\'s keys as they are', () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-register-de-'));
    const run = spawnSync(process.execPath, ['dist/src/tools/registerExport.js', '--out', outDir], { env: { ...cliEnv(), DSR_DEFAULT_LOCALE: 'de' }, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const written = readdirSync(outDir);
    const [german, ...germanLines] = parseCsv(readFileSync(path.join(outDir, written.find((f) => f.endsWith('.csv'))!), 'utf8'));

    expect(german).toHaveLength(header.length);
    expect(german.slice(0, 4)).toEqual(['Antrags-ID', 'Pseudonym der betroffenen Person', 'Eingegangen am', 'Art des Antrags']);
    expect(german).toContain('Unterrichtete Empfänger (Art. 19 DSGVO)');
    const row = germanLines.find((l) => l[0] === ids.completed)!;
    expect(row[german.indexOf('Status')]).toBe('completed');
    expect(row[german.indexOf('Eingegangen am')]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const json = JSON.parse(readFileSync(path.join(outDir, written.find((f) => f.endsWith('.json'))!), 'utf8')) as { requests: Record<string, unknown>[] };
    expect(Object.keys(json.requests[0])).toEqual(expect.arrayContaining(['requestId', 'receivedAt', 'kind', 'state']));
  });
});

describe('the report in the compliance channel', () => {
  it('gives counts that match the register behind its link', async () => {
    // Ten days after the last request was filed: Diego's (due 2 Apr) is overdue; Alex's export closed over 30 days ago.
    moveClock(10);
    const before = complianceReplies().length;
    // Grace is no approver: anyone in the compliance channel may ask, since the report holds no personal data.
    expect(await stack.teams.sayInChannel(grace, stack.teams.complianceChannelId, 'report')).toBe(200);
    const sent: SentActivity = await waitFor('the report card', () => complianceReplies().slice(before).find((s) => JSON.stringify(cardOf(s) ?? {}).includes('the register')));
    const card = cardOf(sent);
    expect(parseEvents(card)).toEqual([]);
    const facts = new Map(JSON.stringify(card).match(/\{"title":"[^"]*","value":"[^"]*"\}/g)!.map((f) => JSON.parse(f) as { title: string; value: string }).map((f) => [f.title, f.value]));

    // The link is read-only; the CSV behind it is read here with the account key, since Azurite checks SAS expiry against the real time.
    const url = new URL((card.actions as { url: string }[])[0].url);
    expect(url.searchParams.get('sp')).toBe('r');
    const blobName = decodeURIComponent(url.pathname.split(`/${STORAGE_NAMES.exportsContainer}/`)[1]);
    const blob = BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient(STORAGE_NAMES.exportsContainer).getBlobClient(blobName);
    const [header, ...rows] = parseCsv((await blob.downloadToBuffer()).toString('utf8'));
    const col = (row: string[], name: string) => row[header.indexOf(name)];

    // Counted here from the CSV's own columns, not with the code that made the card.
    const today = now.toISOString().slice(0, 10);
    const open = rows.filter((r) => col(r, 'responded_at') === '');
    const recent = rows.filter((r) => col(r, 'responded_at') && (now.getTime() - Date.parse(col(r, 'responded_at').slice(0, 10))) / DAY <= 30);
    const days = recent.map((r) => Number(col(r, 'days_to_respond'))).sort((a, b) => a - b);
    const middle = days.length % 2 ? days[(days.length - 1) / 2] : (days[days.length / 2 - 1] + days[days.length / 2]) / 2;
    expect(rows).toHaveLength(Object.keys(ids).length);
    expect(facts.get('Requests')).toBe(String(rows.length));
    expect(facts.get('Open')).toBe(String(open.length));
    expect(facts.get('Overdue')).toBe(String(open.filter((r) => col(r, 'due_at') < today).length));
    expect(facts.get('Closed in the last 30 days')).toBe(String(recent.length));
    expect(facts.get('Median days to close (last 30 days)')).toBe(String(middle));
    for (const kind of ['access', 'export', 'rectify', 'restrict', 'erase']) {
      const ofKind = rows.filter((r) => col(r, 'kind') === kind);
      expect([kind, facts.get(kind)]).toEqual([kind, `${ofKind.length} (${ofKind.filter((r) => col(r, 'responded_at') === '').length})`]);
    }
    for (const regime of ['GDPR', 'CCPA']) {
      const ofRegime = rows.filter((r) => col(r, 'regime') === regime);
      expect([regime, facts.get(regime)]).toEqual([regime, `${ofRegime.length} (${ofRegime.filter((r) => col(r, 'responded_at') === '').length})`]);
    }
    // The numbers this timeline gives, so a count that went wrong on both sides shows too.
    expect([open.length, facts.get('Overdue'), recent.length, middle]).toEqual([2, '1', 4, 1.5]);
  });

  it('is refused in any other channel, and pointed to from a 1:1 chat', async () => {
    const before = stack.connector.sent.length;
    await stack.teams.sayInChannel(priya, stack.teams.channelId, 'report');
    await waitFor('the refusal', () => stack.connector.sent.slice(before).find((s) => s.activity.text?.includes('only in the registered compliance channel')));
    expect(stack.connector.sent.slice(before).some((s) => JSON.stringify(s.activity.attachments ?? []).includes('Download the register'))).toBe(false);
    await stack.teams.say(grace, 'report');
    await waitFor('the pointer', () => stack.connector.to(stack.teams.personalConversationId(grace)).find((s) => s.activity.text?.includes('@mention me there with `report`')));
  });
});

describe('retention', () => {
  let pseudonymsBefore: Map<string, string>;

  it('leaves requests alone before DSR_RETENTION_MONTHS are over', async () => {
    pseudonymsBefore = new Map((await exportRegister(stack.bot.store, { outDir: mkdtempSync(path.join(os.tmpdir(), 'dsr-register-')), pseudonymKey: SANDBOX_KEY, clock, locale: 'en' })).rows.map((r) => [r.requestId, r.subjectPseudonym]));
    moveClock(600);
    expect(await stack.bot.retention.sweep()).toBe(0);
    expect((await requestOf(ids.completed)).subject.aadObjectId).toBe(alex.aadObjectId);
  });

  it('pseudonymises closed requests after 24 months, and the chains still verify', async () => {
    moveClock(150);
    expect(await stack.bot.retention.sweep()).toBe(4);
    for (const state of ['completed', 'rejected', 'cancelled', 'purged']) {
      const request: DsrRequest = await requestOf(ids[state]);
      expect(request.pseudonymisedAt).toBe(now.toISOString());
      expect(request.subject.aadObjectId).toBe(pseudonymsBefore.get(ids[state]));
      for (const value of personalValues(subjects())) expect(JSON.stringify(request)).not.toContain(value);
      expect((await stack.bot.audit.entries(ids[state])).at(-1)).toMatchObject({ event: 'pseudonymised', detail: { reason: 'retention', retentionMonths: 24, keptSha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    }
    // Still open, or waiting for the purge that needs the account's object id: kept as they are.
    expect((await requestOf(ids.soft_deleted)).subject.aadObjectId).toBe(lee.aadObjectId);
    expect((await requestOf(ids.failed_partially)).subject.aadObjectId).toBe(diego.aadObjectId);
    expect(await stack.bot.retention.sweep()).toBe(0);

    const result = await verify();
    expect(result.breaks).toEqual([]);
    const after = await exportRegister(stack.bot.store, { outDir: mkdtempSync(path.join(os.tmpdir(), 'dsr-register-')), pseudonymKey: SANDBOX_KEY, clock, locale: 'en' });
    for (const row of after.rows) expect([row.requestId, row.subjectPseudonym]).toEqual([row.requestId, pseudonymsBefore.get(row.requestId)]);
    expect(after.rows.find((r) => r.requestId === ids.rejected)).toMatchObject({ denialBasis: 'Job titles are set by HR', kind: 'rectify', state: 'rejected' });
  });
});

describe('tampering with the audit log', () => {
  it('names an altered entry, a deleted middle entry, a deleted last entry and a changed kept record', async () => {
    const table = auditTable();
    const altered = await table.getEntity<{ detail: string }>(ids.completed, rowKey(3));
    await table.updateEntity({ partitionKey: ids.completed, rowKey: rowKey(3), detail: altered.detail.replace('"approvalsStillNeeded":0', '"approvalsStillNeeded":1') }, 'Merge');
    await table.deleteEntity(ids.cancelled, rowKey(2));
    const lastOfAwaiting = (await stack.bot.audit.entries(ids.awaiting_manual_steps)).length;
    await table.deleteEntity(ids.awaiting_manual_steps, rowKey(lastOfAwaiting));
    // A kept record edited after retention: the request row, not the chain.
    const requests = TableClient.fromConnectionString(stack.azurite.connectionString, STORAGE_NAMES.requestsTable, { allowInsecureConnection: true });
    const row = await requests.getEntity<{ doc: string }>('request', ids.rejected);
    await requests.updateEntity({ partitionKey: 'request', rowKey: ids.rejected, doc: row.doc.replace('"kind":"rectify"', '"kind":"access"') }, 'Merge');

    const result = await verify();
    expect(result.breaks).toEqual([
      { requestId: ids.completed, sequence: 3, problem: "entry 3 (approved) was altered: its content no longer matches its HMAC under the bot's audit key (rewritten by someone without the key)" },
      { requestId: ids.cancelled, sequence: 2, problem: 'entry 2 is missing: entry 3 follows entry 1' },
      { requestId: ids.awaiting_manual_steps, sequence: lastOfAwaiting, problem: `entry ${lastOfAwaiting} is missing: the anchor counts ${lastOfAwaiting} entries, the chain ends at ${lastOfAwaiting - 1}` },
      { requestId: ids.rejected, problem: expect.stringContaining('pseudonymised record was changed after retention') },
    ].sort((a, b) => (a.sequence === undefined ? 1 : 0) - (b.sequence === undefined ? 1 : 0) || a.requestId.localeCompare(b.requestId)));
  });

  it('fails npm run audit:verify, naming each broken entry', () => {
    const run = spawnSync(process.execPath, ['dist/src/tools/auditVerify.js'], { env: cliEnv(), encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`BROKEN ${ids.completed}: entry 3 (approved) was altered`);
    expect(run.stdout).toContain(`BROKEN ${ids.cancelled}: entry 2 is missing`);
    expect(run.stdout).toContain(`BROKEN ${ids.awaiting_manual_steps}: entry`);
    expect(run.stdout).toContain('FAILED: 4 problems found');
  });
});

/** The environment the npm scripts would run with against this stack's Azurite. */
function cliEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, DSR_SANDBOX: 'on', DSR_STORAGE_CONNECTION_STRING: stack.azurite.connectionString, DSR_APPROVER_GROUP_ID: stack.tenant.approverGroup.id, DSR_DATA_DIR: stack.dataDir };
}
