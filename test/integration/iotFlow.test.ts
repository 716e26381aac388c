import { BotStack, startBotStack } from '../support/botStack';
import { contentOf, SentActivity } from '../support/fakeBotConnector';
import { approvalCardFor, approveBy, cardOf, currentApprovalCard, fileRequest, stateOf } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { TenantUser } from '../../src/sandbox/tenant';
import { SERVICE_NAMES } from '../../src/dsr';

/**
 * The whole flow across every service: Entra, Digital Twins, IoT Central, DPS, IoT Hub, Azure role
 * assignments and the bot's own records, plus Entra's system-generated logs, each a sandbox
 * service in its own process spoken to by the real clients.
 */
jest.setTimeout(120_000);

const ALL = SERVICE_NAMES.join(',');
const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments';
const downloadCards = (chat: string) => stack.connector.to(chat).filter((s) => s.kind === 'send' && JSON.stringify(cardOf(s) ?? {}).includes('Download your data'));
const packageAt = async (card: SentActivity) => unzip(Buffer.from(await (await fetch((cardOf(card).actions as { url: string }[])[0].url)).arrayBuffer()));
/** Who holds a role assignment at any scope of the sandbox subscription, by assignment id. */
async function assignmentHolders(): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  for (let next: string | undefined = `/subscriptions/${stack.tenant.azure.subscriptionId}${ASSIGNMENTS}`; next;) {
    const page = (await probe.get('arm', next)).body as { value: { id: string; properties: { principalId: string } }[]; nextLink?: string };
    for (const assignment of page.value) holders.set(assignment.id, assignment.properties.principalId);
    next = page.nextLink;
  }
  return holders;
}
let stack: BotStack;
let probe: SandboxProbe;
let priya: TenantUser, marco: TenantUser, alex: TenantUser, megan: TenantUser, diego: TenantUser;

beforeAll(async () => {
  // The sandbox Graph's export of system-generated logs completes in seconds; the bot polls it every second.
  stack = await startBotStack('iot-flow', { DSR_SERVICES: ALL, DSR_SERVICE_EXPORT_POLL_SECONDS: '1' }, undefined, { sweepMs: 250 });
  probe = new SandboxProbe(stack.sandbox);
  [priya, marco, alex, megan, diego] = ['Priya', 'Marco', 'Alex', 'Megan', 'Diego'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
  expect(await stack.teams.sayInChannel(priya, stack.teams.complianceChannelId, 'register compliance')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

const approveTwice = (id: string) => approveBy(stack, id, [priya, marco]);

describe('a request across every service', () => {
  it('counts what each service holds on the approval card, before anything is touched', async () => {
    const id = await fileRequest(stack, alex, 'export my data', { kind: 'export', regime: 'GDPR', services: ALL });
    const card = JSON.stringify(cardOf(await approvalCardFor(stack, id)));
    for (const label of ['Azure Digital Twins', 'IoT Central', 'Device Provisioning Service', 'IoT Hub', 'Azure role assignments', 'Entra system-generated logs']) expect(card).toContain(label);
    expect(card).toMatch(/5 twins/);
    expect(card).toMatch(/1 app user/);
    expect(card).toMatch(/2 individual enrollments, 2 registration records/);
    expect(card).toMatch(/2 devices tagged with the subject as owner, 1 device provisioned for the subject through DPS/);
    expect(card).toMatch(/6 Azure role assignments/);
    expect(card).toMatch(/1 export of system-generated logs/);
    expect(card).toMatch(/group memberships/);
    // Ids, kinds and counts only: nothing that names Alex.
    for (const value of [alex.email, alex.aadObjectId, alex.displayName, 'wearable-alex-01', 'desk-dublin-3-114']) expect(card).not.toContain(value);

    await stack.teams.click(priya, stack.teams.channelId, 'dsr.approve', { requestId: id });
    const chat = stack.teams.personalConversationId(alex);
    const files = await packageAt(await waitFor('the download card', () => downloadCards(chat)[0], 60_000));
    const json = (path: string) => JSON.parse(files.get(path)!.toString()) as unknown;

    expect([...files.keys()].sort()).toEqual([
      'README.html', 'azure-role-assignments/assignments.json', 'digital-twins/relationships.json', 'digital-twins/twins.json', 'dps/enrollments.json', 'dps/registrations.json',
      'dsr-bot/requests.json', 'entra/app-role-assignments.json', 'entra/authentication-methods.json',
      'entra/licenses.json', 'entra/manager-and-reports.json', 'entra/memberships.json', 'entra/profile.json', 'entra/sign-in-activity.json',
      'iot-central/devices.json', 'iot-central/user.json', 'iot-hub/devices.json', 'manifest.json',
    ]);
    const twins = json('digital-twins/twins.json') as { $dtId: string }[];
    expect(twins.map((t) => t.$dtId).sort()).toEqual(['badge-0451', 'desk-dublin-3-114', alex.aadObjectId, 'locker-dublin-17', 'thermostat-3-114'].sort());
    // Megan's badge visited Alex's desk: the relationship is Alex's data, Megan's twin id is not.
    const relationships = JSON.stringify(json('digital-twins/relationships.json'));
    expect(relationships).toContain('desk-dublin-3-114');
    expect(relationships).not.toContain('badge-0452');
    expect(relationships).not.toContain(megan.aadObjectId);
    expect((json('iot-central/user.json') as { email: string }).email.toLowerCase()).toBe(alex.email);
    const hubDevices = json('iot-hub/devices.json') as { hub: string; devices: { deviceId: string }[] };
    expect(hubDevices.hub).toBe('contoso-hub.azure-devices.net');
    expect(hubDevices.devices.map((d) => d.deviceId).sort()).toEqual(['headset-alex', 'phone-alex', 'wearable-alex-01']);
    // Keys and certificates are not personal data and never leave a service.
    for (const path of ['iot-hub/devices.json', 'dps/enrollments.json']) {
      expect(files.get(path)!.toString()).not.toMatch(/primaryKey|secondaryKey|thumbprint|endorsementKey/i);
    }
    const roles = JSON.stringify(json('azure-role-assignments/assignments.json'));
    for (const role of ['Azure Digital Twins Data Owner', 'IoT Hub Data Contributor', 'Reader']) expect(roles).toContain(role);
    expect(roles).not.toContain(stack.tenant.azure.botPrincipalId);

    // Entra's system-generated logs follow as a second package, in the same chat, and close the request.
    expect(await stateOf(stack, id)).toBe('awaiting_service_export');
    const logs = await packageAt(await waitFor('the system-generated logs', () => downloadCards(chat)[1], 60_000));
    const logFiles = [...logs.keys()].filter((path) => path.startsWith('system-logs/'));
    expect(logFiles.length).toBeGreaterThan(0);
    expect(logs.get('README.html')!.toString()).toContain('system-logs');
    await waitFor('the completed export', async () => (await stateOf(stack, id)) === 'completed', 30_000);
  });

  it('erases from every service, waits for the manual step, and leaves everyone else alone', async () => {
    const holdersBefore = await assignmentHolders();
    const id = await fileRequest(stack, alex, 'delete my data', { kind: 'erase', regime: 'GDPR', services: ALL });
    const approval = await approveTwice(id);
    await waitFor('the automated steps', async () => (await stateOf(stack, id)) === 'awaiting_manual_steps', 60_000);

    // The approvers' card lists the manual step with its instructions; nothing completes without it.
    const card = currentApprovalCard(stack, approval);
    expect(JSON.stringify(card)).toContain('alert rules');
    expect(stack.connector.latestCard(stack.teams.personalConversationId(alex), 'Erasure receipt')).toBeUndefined();
    const refused = await stack.teams.click(alex, stack.teams.channelId, 'dsr.manual', { requestId: id, step: 'iotCentral.alertRuleEmails', outcome: 'done' }, approval.activityId);
    expect(JSON.stringify(refused.body.value)).toContain('Only privacy admins');
    const confirmed = await stack.teams.click(marco, stack.teams.channelId, 'dsr.manual', { requestId: id, step: 'iotCentral.alertRuleEmails', outcome: 'done' }, approval.activityId);
    expect(JSON.stringify(confirmed.body.value)).toContain('Done, confirmed by Marco Bianchi');
    expect(await stateOf(stack, id)).toBe('soft_deleted');
    const receipt = await waitFor('the receipt', () => stack.connector.latestCard(stack.teams.personalConversationId(alex), 'Erasure receipt'));
    expect(contentOf(receipt)).toContain('Done by hand');

    // What the services hold now, seen from outside.
    for (const twin of ['desk-dublin-3-114', 'badge-0451', 'thermostat-3-114', 'locker-dublin-17', alex.aadObjectId]) {
      expect(await probe.status('digitalTwins', `/digitaltwins/${twin}`)).toBe(404);
    }
    for (const twin of ['badge-0452', 'floor-dublin-3', 'desk-seattle-2-05', megan.aadObjectId]) expect(await probe.status('digitalTwins', `/digitaltwins/${twin}`)).toBe(200);
    expect(await probe.status('iotCentral', '/api/users/ic-user-alex')).toBe(404);
    expect(await probe.status('iotCentral', '/api/users/ic-user-megan')).toBe(200);
    const wearable = await probe.get('iotCentral', '/api/devices/wearable-alex-01/properties');
    expect(wearable.status).toBe(200);
    expect(JSON.stringify(wearable.body)).not.toContain('alex');
    for (const enrollment of ['reg-wearable-alex-01', 'reg-phone-alex']) {
      expect(await probe.status('dps', `/enrollments/${enrollment}`)).toBe(404);
      expect(await probe.status('dps', `/registrations/${enrollment}`)).toBe(404);
    }
    expect(await probe.status('dps', '/enrollments/reg-wearable-megan-01')).toBe(200);
    expect(await probe.status('dps', '/enrollmentGroups/facility-sensors')).toBe(200);
    for (const device of ['wearable-alex-01', 'headset-alex', 'phone-alex']) expect(await probe.status('iotHub', `/devices/${device}`)).toBe(404);
    for (const device of ['wearable-megan-01', 'laptop-diego', 'sensor-floor-3']) expect(await probe.status('iotHub', `/devices/${device}`)).toBe(200);
    // Alex's role assignments are gone at every scope; everyone else's, the bot's among them, are all still there.
    const holdersAfter = await assignmentHolders();
    expect([...holdersBefore.values()].filter((p) => p === alex.aadObjectId)).toHaveLength(6);
    expect([...holdersAfter.values()]).not.toContain(alex.aadObjectId);
    expect([...holdersAfter.keys()].sort()).toEqual([...holdersBefore].filter(([, p]) => p !== alex.aadObjectId).map(([a]) => a).sort());
    expect([...holdersAfter.values()]).toContain(stack.tenant.azure.botPrincipalId);
    // The Entra account waits in deleted items for the purge; the system-generated logs go with it, so nothing was asked of Graph.
    const erased = (await stack.bot.store.get(id))!.request;
    expect(erased.steps.entra).toMatchObject({ status: 'done', awaitsPurge: true });
    expect(erased.steps.roleAssignments).toMatchObject({ status: 'done', count: 6 });
    expect(erased.steps.systemLogs?.summary).toEqual({ code: 'systemLogs.expungedWithAccount' });

    const audit = await stack.bot.audit.entries(id);
    expect(audit.map((e) => e.event)).toEqual(expect.arrayContaining(['awaiting manual steps', 'manual step confirmed']));
  });

  it('survives a burst of 429s, reports a service that keeps failing, and retries only that one', async () => {
    await probe.inject('iotCentral', { status: 429, count: 3, retryAfterSeconds: 0 });
    await probe.inject('dps', { status: 500, count: -1, method: 'DELETE' });
    const id = await fileRequest(stack, diego, 'delete my data', { kind: 'erase', regime: 'CCPA', services: 'digitalTwins,iotCentral,dps,iotHub,botStore' });
    const approval = await approveTwice(id);
    await waitFor('the partial failure', async () => (await stateOf(stack, id)) === 'failed_partially', 60_000);

    const request = (await stack.bot.store.get(id))!.request;
    expect(request.steps.dps).toMatchObject({ status: 'failed', error: { service: 'dps', kind: 'status', status: 500 } });
    for (const service of ['digitalTwins', 'iotCentral', 'iotHub', 'botStore'] as const) expect(request.steps[service]?.status).toBe('done');
    const failedCard = await waitFor('the retry button', () => {
      const card = JSON.stringify(currentApprovalCard(stack, approval));
      return card.includes('dsr.retry') ? card : undefined;
    });
    expect(failedCard).toContain('Device Provisioning Service answered 500');
    expect(await probe.status('iotHub', '/devices/laptop-diego')).toBe(404);

    await probe.clearFaults('dps');
    await stack.teams.click(priya, stack.teams.channelId, 'dsr.retry', { requestId: id }, approval.activityId);
    // Diego is an IoT Central user too: the alert-rule step waits for an approver.
    await waitFor('the retried erasure', async () => (await stateOf(stack, id)) === 'awaiting_manual_steps', 60_000);
    await stack.teams.click(priya, stack.teams.channelId, 'dsr.manual', { requestId: id, step: 'iotCentral.alertRuleEmails', outcome: 'not_applicable' }, approval.activityId);
    expect(await stateOf(stack, id)).toBe('completed');
    const retried = (await stack.bot.store.get(id))!.request;
    expect(retried.steps.dps?.status).toBe('done');
    // The steps that had succeeded ran once: their attempt counts did not move.
    expect(retried.steps.iotHub?.attempts).toBe(1);
    expect(await probe.status('dps', '/enrollments/reg-desk-display-diego')).toBe(404);
  });

  it('keeps every seeded person\'s personal data out of channel posts and log lines after all of that', async () => {
    const personalValues = (users: TenantUser[]) => users.flatMap((u) => [u.email, u.upn, u.aadObjectId, u.mobilePhone]);
    const subjects = [alex, megan, diego];
    const channelPosts = stack.connector.sent.filter((s) => s.conversationId.startsWith('19:')).map(contentOf).join('\n');
    expect(channelPosts).toContain('Azure Digital Twins');
    for (const value of [...personalValues(stack.tenant.users), ...subjects.map((u) => u.displayName)]) expect(channelPosts).not.toContain(value);
    // Device, twin and enrollment ids often spell their owner's name: they stay out of channels too.
    for (const id of ['wearable-alex-01', 'headset-alex', 'reg-phone-alex', 'laptop-diego', 'ic-user-alex']) expect(channelPosts).not.toContain(id);
    const logs = stack.logLines.join('\n').toLowerCase();
    expect(logs).toContain('service step finished');
    for (const value of [...personalValues(stack.tenant.users), ...stack.tenant.users.map((u) => u.displayName)]) expect(logs).not.toContain(value.toLowerCase());
    for (const id of ['wearable-alex-01', 'headset-alex', 'reg-phone-alex', 'laptop-diego', 'desk-dublin-3-114']) expect(logs).not.toContain(id);
  });
});
