import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, fileRequest, stateOf } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { sandboxStatePath } from '../../src/sandbox/common';
import { seedGraphState } from '../../src/sandbox/graph/graphState';
import { Tenant, TenantUser } from '../../src/sandbox/tenant';

/**
 * A subject whose e-mail address is a query-injection string, through the whole flow, with
 * Digital Twins linked by e-mail so the address reaches its queries, and IoT Hub set to keep
 * devices in service. Nothing of anyone else may be exported, deleted or changed.
 */
jest.setTimeout(120_000);

const INJECTION = "x' OR 1=1 OR T.$dtId != '";
const ALL = 'entra,digitalTwins,iotCentral,dps,iotHub,botStore';
let stack: BotStack;
let probe: SandboxProbe;
let tenant: Tenant;
let priya: TenantUser, marco: TenantUser, lee: TenantUser, megan: TenantUser;

/** Lee's directory entry carries the injection string as e-mail address. */
function leeWithInjectedAddress(dataDir: string, seeded: Tenant): void {
  const state = seedGraphState(seeded);
  const leeId = seeded.users.find((u) => u.displayName === 'Lee Gu')!.aadObjectId;
  const file = sandboxStatePath(dataDir, 'graph');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...state, users: state.users.map((u) => (u.id === leeId ? { ...u, mail: INJECTION } : u)) }));
}

const everyoneElsesTwins = ['desk-dublin-3-114', 'badge-0451', 'thermostat-3-114', 'desk-seattle-2-05', 'badge-0452', 'desk-milan-0-12', 'badge-0101', 'locker-dublin-17', 'floor-dublin-3'];
const everyoneElsesHubDevices = ['wearable-alex-01', 'phone-alex', 'headset-alex', 'laptop-diego', 'sensor-floor-3'];
const everyoneElsesEnrollments = ['reg-wearable-alex-01', 'reg-phone-alex', 'reg-desk-display-diego', 'reg-sensor-floor-3'];
const everyoneElsesAppUsers = ['ic-user-alex', 'ic-user-megan', 'ic-user-priya', 'ic-sp-pipeline'];

const approveTwice = (id: string) => approveBy(stack, id, [priya, marco]);

async function hubTags(deviceId: string): Promise<Record<string, unknown>> {
  return ((await probe.get('iotHub', `/twins/${deviceId}`)).body as { tags?: Record<string, unknown> }).tags ?? {};
}

beforeAll(async () => {
  stack = await startBotStack('injection-flow', { DSR_DIGITAL_TWINS_LINK_HOLDS: 'email', DSR_IOT_HUB_ERASE_MODE: 'clearPersonalData', DSR_PURGE_GRACE_DAYS: '0' }, leeWithInjectedAddress);
  probe = new SandboxProbe(stack.sandbox);
  tenant = stack.tenant;
  [priya, marco, lee, megan] = ['Priya', 'Marco', 'Lee', 'Megan'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('a subject whose e-mail address is an injection string', () => {
  it('finds nothing of anyone else and exports nothing of anyone else', async () => {
    const tagsBefore = await hubTags('headset-alex');
    const id = await fileRequest(stack, lee, 'export my data', { kind: 'export', regime: 'GDPR', services: ALL });
    const card = JSON.stringify(cardOf(await approvalCardFor(stack, id)));
    for (const label of ['Azure Digital Twins', 'IoT Central', 'Device Provisioning Service', 'IoT Hub']) expect(card).toContain(`"title":"${label}","value":"nothing found"`);

    await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id });
    const ready = await waitFor('the download card', () => stack.connector.latestCard(stack.teams.personalConversationId(lee), 'Download your data'), 60_000);
    const files = await unzip(Buffer.from(await (await fetch((cardOf(ready).actions as { url: string }[])[0].url)).arrayBuffer()));
    const everything = [...files.values()].map((b) => b.toString()).join('\n');
    for (const other of tenant.users.filter((u) => u.aadObjectId !== lee.aadObjectId)) {
      expect(everything).not.toContain(other.aadObjectId);
      expect(everything.toLowerCase()).not.toContain(other.email.toLowerCase());
    }
    for (const thing of [...everyoneElsesTwins, ...everyoneElsesHubDevices, ...everyoneElsesEnrollments]) expect(everything).not.toContain(thing);
    expect(await hubTags('headset-alex')).toEqual(tagsBefore);
  });

  it('erases nothing of anyone else', async () => {
    const id = await fileRequest(stack, lee, 'delete my data', { kind: 'erase', regime: 'GDPR', services: ALL });
    await approveTwice(id);
    await waitFor('the erasure', async () => ['soft_deleted', 'completed'].includes((await stateOf(stack, id)) ?? ''), 60_000);
    expect((await stack.bot.store.get(id))!.request.steps.entra?.status).toBe('done');

    for (const twin of everyoneElsesTwins) expect(await probe.status('digitalTwins', `/digitaltwins/${twin}`)).toBe(200);
    for (const user of everyoneElsesAppUsers) expect(await probe.status('iotCentral', `/api/users/${user}`)).toBe(200);
    for (const enrollment of everyoneElsesEnrollments) expect(await probe.status('dps', `/enrollments/${enrollment}`)).toBe(200);
    for (const device of everyoneElsesHubDevices) expect(await probe.status('iotHub', `/devices/${device}`)).toBe(200);
    expect(await hubTags('wearable-alex-01')).toMatchObject({ owner: stack.user('Alex').aadObjectId });
    expect(await hubTags('headset-alex')).toMatchObject({ owner: 'alex.wilber@contoso.test' });
  });
});

describe('devices that stay in service', () => {
  it('clears the owner from the hub devices behind erased DPS enrollments, and says so on the receipt', async () => {
    const id = await fileRequest(stack, megan, 'delete my data', { kind: 'erase', regime: 'GDPR', services: 'dps,iotHub,botStore' });
    const approval = await approveTwice(id);
    // One of Megan's devices went to a hub this bot does not reach: an approver deletes it by hand.
    await waitFor('the automated steps', async () => (await stateOf(stack, id)) === 'awaiting_manual_steps', 60_000);
    const request = (await stack.bot.store.get(id))!.request;
    expect(request.steps.dps?.summary).toMatchObject({ code: 'dps.removed', uncoveredHubs: [{ hub: 'contoso-lab-hub.azure-devices.net', devices: 1 }] });
    const [step] = request.discovery.dps?.manualSteps ?? [];
    expect(step.task).toMatchObject({ code: 'dps.uncoveredHub', hub: 'contoso-lab-hub.azure-devices.net' });
    await stack.teams.click(marco, stack.teams.channelId, 'dsr.manual', { requestId: id, step: step.key, outcome: 'done' }, approval.activityId);
    expect(await stateOf(stack, id)).toBe('completed');

    expect(await probe.status('dps', '/enrollments/reg-wearable-megan-01')).toBe(404);
    expect(await probe.status('iotHub', '/devices/wearable-megan-01')).toBe(200);
    expect(await hubTags('wearable-megan-01')).not.toHaveProperty('owner');
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(megan), 'Erasure receipt'));
    expect(contentOf(receipt)).toMatch(/IoT Hub/);
    expect(contentOf(receipt)).toMatch(/kept|cleared/i);
  });
});
