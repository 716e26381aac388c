import { readFile } from 'node:fs/promises';
import { DpsAdapter, type DpsAdapterOptions } from '../../src/adapters/dps/dpsAdapter';
import { AdapterCallContext, type PlanItem, type RequestKind, ServiceError, type Subject } from '../../src/dsr';
import { sandboxStatePath } from '../../src/sandbox/common';
import { SandboxCredential } from '../../src/sandbox/sandboxCredential';
import { createDpsSandbox, type DpsSandbox, type DpsSeed, type DpsSeedEnrollment, type DpsState } from '../../src/sandbox/dps';
import { loadTenant } from '../../src/sandbox/tenant';
import { FAST_POLICY, collectFiles, subjectFor } from '../support/adapterTesting';
import { sandboxPool } from '../support/sandboxPool';
import { waitFor } from '../support/waitFor';
import { rawRequest, type RawResponse } from '../sandbox/sandboxGraphClient';

const tenant = loadTenant();
const COVERED_HUB = 'contoso-hub.azure-devices.net';
const LAB_HUB = 'contoso-lab-hub.azure-devices.net';
const API = 'api-version=2021-10-01';
const AUTH = { Authorization: 'Bearer dsr-sandbox-token' };
const seededEnrollmentCount = tenant.dps.enrollments.length + tenant.dps.fleet.count;

const alex = subjectFor('alex.wilber@contoso.test');
const megan = subjectFor('megan.bowen@contoso.test');
const diego = subjectFor('diego.siciliani@contoso.test');
const lee = subjectFor('lee.gu@contoso.test');

function context(kind: RequestKind = 'erase'): AdapterCallContext {
  return { requestId: 'DSR-2026-0001', kind };
}

const dataDirs = new Map<DpsSandbox, string>();
const sandboxes = sandboxPool('dps-adapter', async (dataDir, seed?: DpsSeed) => {
  const sandbox = await createDpsSandbox({ tenant, dataDir, port: 0, seed });
  dataDirs.set(sandbox, dataDir);
  return sandbox;
});
const startSandbox = sandboxes.start;
afterEach(() => sandboxes.closeAll());

function adapterFor(sandbox: DpsSandbox, options: Partial<DpsAdapterOptions> = {}): DpsAdapter {
  return new DpsAdapter({
    endpoint: sandbox.url,
    credential: new SandboxCredential(),
    coveredHubs: [COVERED_HUB],
    policy: FAST_POLICY,
    ...options,
  });
}

function get(sandbox: DpsSandbox, path: string): Promise<RawResponse> {
  return rawRequest(sandbox, 'GET', `${path}?${API}`, { headers: AUTH });
}

async function exists(sandbox: DpsSandbox, path: string): Promise<boolean> {
  const { status } = await get(sandbox, path);
  if (status !== 200 && status !== 404) throw new Error(`unexpected status ${status}`);
  return status === 200;
}

async function stats(sandbox: DpsSandbox): Promise<{ requests: Record<string, number>; faultsServed: number }> {
  return (await rawRequest(sandbox, 'GET', '/_sandbox/stats')).body as { requests: Record<string, number>; faultsServed: number };
}

async function addFault(sandbox: DpsSandbox, rule: Record<string, unknown>): Promise<void> {
  const response = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { body: rule });
  expect(response.status).toBe(201);
}

async function allEnrollmentIds(sandbox: DpsSandbox): Promise<string[]> {
  const response = await rawRequest(sandbox, 'POST', `/enrollments/query?${API}`, {
    body: { query: 'SELECT * FROM enrollments' }, headers: { ...AUTH, 'x-ms-max-item-count': '1000' },
  });
  return (response.body as { registrationId: string }[]).map((enrollment) => enrollment.registrationId);
}

/** The registration ids of the enrollments and of the registration records as the sandbox itself holds them (its state file). */
async function recordsInState(sandbox: DpsSandbox): Promise<{ enrollments: string[]; registrations: string[] }> {
  const state = JSON.parse(await readFile(sandboxStatePath(dataDirs.get(sandbox)!, 'dps'), 'utf8')) as DpsState;
  return {
    enrollments: state.enrollments.map((enrollment) => enrollment.registrationId),
    registrations: state.registrations.map((registration) => registration.registrationId),
  };
}

/** Creates an individual enrollment whose owner tag names `owner`, as an operator or a pipeline would. */
async function enroll(sandbox: DpsSandbox, registrationId: string, owner: string): Promise<void> {
  const response = await rawRequest(sandbox, 'PUT', `/enrollments/${registrationId}?${API}`, {
    body: { registrationId, attestation: { type: 'symmetricKey' }, initialTwin: { tags: { owner } } }, headers: AUTH,
  });
  expect(response.status).toBe(200);
}

/** Plan items and outcomes in a stable order: by type, then id. */
function sorted<T extends { type: string; id: string }>(items: readonly T[] | undefined): T[] {
  return [...(items ?? [])].sort((a, b) => `${a.type}/${a.id}`.localeCompare(`${b.type}/${b.id}`));
}

function withPlan(plan: readonly PlanItem[], kind: RequestKind = 'erase'): AdapterCallContext {
  return { ...context(kind), plan };
}

const ALEX_PLAN: PlanItem[] = [
  { type: 'enrollment', id: 'reg-phone-alex', reason: 'initialTwinTag:owner' },
  { type: 'enrollment', id: 'reg-wearable-alex-01', reason: 'initialTwinTag:owner' },
  { type: 'registration', id: 'reg-phone-alex', reason: 'enrollment' },
  { type: 'registration', id: 'reg-wearable-alex-01', reason: 'enrollment' },
];

function enrollmentSeed(registrationId: string, owner: string | undefined, hub = COVERED_HUB): DpsSeedEnrollment {
  return {
    registrationId,
    deviceId: registrationId.replace(/^reg-/, ''),
    attestation: { type: 'symmetricKey' },
    initialTwin: { tags: owner === undefined ? { site: 'fleet' } : { owner } },
    iotHubHostName: hub,
  };
}

describe('DpsAdapter through the REST client against the DPS sandbox', () => {
  describe('discover', () => {
    it('counts the subject\'s enrollments and registration records, in words without personal values', async () => {
      const sandbox = await startSandbox();
      const result = await adapterFor(sandbox).discover(alex, context());
      expect(result).toMatchObject({ count: 4, items: [{ code: 'dps.enrollments', count: 2 }, { code: 'dps.registrations', count: 2 }] });
    });

    it('matches an e-mail-tagged enrollment case-insensitively and counts an enrollment whose device never registered', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox, { coveredHubs: [COVERED_HUB, LAB_HUB] });
      expect(megan.email).toBe('Megan.Bowen@contoso.test');
      expect(await adapter.discover(megan, context())).toMatchObject({ count: 4, items: [{ code: 'dps.enrollments', count: 2 }, { code: 'dps.registrations', count: 2 }] });
      expect(await adapter.discover({ ...megan, email: 'MEGAN.BOWEN@CONTOSO.TEST' }, context())).toMatchObject({ count: 4 });
      expect(await adapter.discover(diego, context())).toMatchObject({ count: 1, items: [{ code: 'dps.enrollments', count: 1 }, { code: 'dps.registrations', count: 0 }] });
      expect(await adapter.discover(lee, context())).toEqual({ count: 0, plan: [], items: [] });
    });

    it('adds a manual step, with the hub and a count but no device id, for devices in a hub the IoT Hub step does not cover', async () => {
      const sandbox = await startSandbox();
      const result = await adapterFor(sandbox).discover(megan, context('erase'));
      expect(result.manualSteps).toHaveLength(1);
      const [step] = result.manualSteps ?? [];
      expect(step.key).toBe(`dps.uncoveredHub.${LAB_HUB}`);
      expect(step.task).toEqual({ code: 'dps.uncoveredHub', kind: 'erase', hub: LAB_HUB, devices: 1, ownerTag: 'owner' });
      // The plan holds ids by design (approvers see them, never a channel); the words do not.
      const { plan: _plan, ...rest } = result;
      const words = JSON.stringify(rest);
      for (const personal of ['tracker-megan', 'wearable-megan', megan.email.toLowerCase(), megan.aadObjectId, 'Megan']) {
        expect(words.toLowerCase()).not.toContain(personal.toLowerCase());
      }
      const restrict = await adapterFor(sandbox).discover(megan, context('restrict'));
      expect(restrict.manualSteps?.[0].task).toMatchObject({ code: 'dps.uncoveredHub', kind: 'restrict', hub: LAB_HUB, devices: 1 });
      expect((await adapterFor(sandbox).discover(megan, context('export'))).manualSteps).toBeUndefined();
    });

    it('reads the owner from a configured tag, nested ones too', async () => {
      const nested: DpsSeedEnrollment = { ...enrollmentSeed('reg-nested', undefined), initialTwin: { tags: { people: { owner: alex.email } } } };
      const sandbox = await startSandbox({ enrollments: [nested, enrollmentSeed('reg-flat', alex.email)], registrations: [], enrollmentGroups: [] });
      expect((await adapterFor(sandbox, { ownerTag: 'people.owner' }).discover(alex, context())).count).toBe(1);
      expect((await adapterFor(sandbox).discover(alex, context())).count).toBe(1);
      expect(() => adapterFor(sandbox, { ownerTag: 'people..owner' })).toThrow(/ownerTag/);
    });

    it('finds the subject\'s enrollments on every page of the query', async () => {
      const enrollments = Array.from({ length: 250 }, (_, i) =>
        enrollmentSeed(`reg-device-${String(i).padStart(3, '0')}`, [0, 137, 249].includes(i) ? alex.aadObjectId : undefined));
      const sandbox = await startSandbox({ enrollments, registrations: [], enrollmentGroups: [] });
      const result = await adapterFor(sandbox, { pageSize: 50 }).discover(alex, context());
      expect(result.count).toBe(3);
      expect((await stats(sandbox)).requests['POST /enrollments/query']).toBe(5);
    });

    it('pages through the seeded tenant with a small page size', async () => {
      const sandbox = await startSandbox();
      const devices = await adapterFor(sandbox, { pageSize: 10 }).registeredDevices(alex, context());
      expect(devices.map((device) => device.deviceId).sort()).toEqual(['phone-alex', 'wearable-alex-01']);
      expect((await stats(sandbox)).requests['POST /enrollments/query']).toBe(Math.ceil(seededEnrollmentCount / 10));
    });
  });

  describe('registeredDevices', () => {
    it('names the hub and device id of each device DPS provisioned for the subject', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      expect(await adapter.registeredDevices(megan, context())).toEqual(expect.arrayContaining([
        { registrationId: 'reg-wearable-megan-01', deviceId: 'wearable-megan-01', assignedHub: COVERED_HUB },
        { registrationId: 'reg-tracker-megan', deviceId: 'tracker-megan', assignedHub: LAB_HUB },
      ]));
      expect(await adapter.registeredDevices(diego, context())).toEqual([]);
    });
  });

  describe('export', () => {
    it('exports enrollments without any attestation secret, and the registration records', async () => {
      const sandbox = await startSandbox();
      const raw = [
        (await get(sandbox, '/enrollments/reg-wearable-megan-01')).body,
        (await get(sandbox, '/enrollments/reg-tracker-megan')).body,
      ] as { attestation: { symmetricKey?: { primaryKey: string; secondaryKey: string }; x509?: { clientCertificates: { primary: { certificate: string } } } } }[];
      const secrets = [
        raw[0].attestation.symmetricKey?.primaryKey, raw[0].attestation.symmetricKey?.secondaryKey,
        raw[1].attestation.x509?.clientCertificates.primary.certificate,
      ];
      expect(secrets.every((secret) => typeof secret === 'string' && secret.length > 40)).toBe(true);

      const files = await collectFiles(adapterFor(sandbox).export(megan, context('export')));
      expect(Object.keys(files).sort()).toEqual(['enrollments.json', 'registrations.json']);
      const enrollments = files['enrollments.json'] as { registrationId: string; attestation: Record<string, unknown>; initialTwin: unknown }[];
      expect(enrollments.map((e) => e.registrationId).sort()).toEqual(['reg-tracker-megan', 'reg-wearable-megan-01']);
      const symmetric = enrollments.find((e) => e.registrationId === 'reg-wearable-megan-01');
      expect(symmetric?.attestation).toEqual({ type: 'symmetricKey' });
      const x509 = enrollments.find((e) => e.registrationId === 'reg-tracker-megan');
      expect(x509?.attestation).toMatchObject({ type: 'x509', x509: { clientCertificates: { primary: { info: { sha256Thumbprint: expect.any(String) } } } } });
      expect(x509?.initialTwin).toEqual({ tags: { owner: 'megan.bowen@contoso.test' }, properties: { desired: { reportingIntervalSeconds: 300 } } });
      const text = JSON.stringify(files);
      for (const secret of secrets) expect(text).not.toContain(secret as string);
      expect(text).not.toMatch(/primaryKey|secondaryKey|"certificate"|endorsementKey|storageRootKey/);

      const registrations = files['registrations.json'] as { deviceId: string; assignedHub: string }[];
      expect(registrations.map((r) => r.deviceId).sort()).toEqual(['tracker-megan', 'wearable-megan-01']);
    });

    it('strips the TPM endorsement key', async () => {
      const sandbox = await startSandbox();
      const files = await collectFiles(adapterFor(sandbox).export(diego, context('export')));
      expect(files['enrollments.json']).toEqual([expect.objectContaining({ registrationId: 'reg-desk-display-diego', attestation: { type: 'tpm' } })]);
      expect(files['registrations.json']).toEqual([]);
    });

    it('exports nothing for a subject with no enrollments', async () => {
      const sandbox = await startSandbox();
      expect(await collectFiles(adapterFor(sandbox).export(lee, context('export')))).toEqual({});
    });
  });

  describe('erase', () => {
    it('deletes the registration records and enrollments of the subject only; groups and others stay', async () => {
      const sandbox = await startSandbox();
      const report = await adapterFor(sandbox).erase(alex, context());
      expect(report).toEqual({ summary: { code: 'dps.removed', enrollments: 2, registrations: 2, planned: false, uncoveredHubs: [] }, count: 4 });
      for (const id of ['reg-wearable-alex-01', 'reg-phone-alex']) {
        expect(await exists(sandbox, `/enrollments/${id}`)).toBe(false);
        expect(await exists(sandbox, `/registrations/${id}`)).toBe(false);
      }
      for (const id of ['reg-wearable-megan-01', 'reg-sensor-floor-3', 'reg-tracker-megan']) {
        expect(await exists(sandbox, `/enrollments/${id}`)).toBe(true);
        expect(await exists(sandbox, `/registrations/${id}`)).toBe(true);
      }
      expect(await exists(sandbox, '/enrollmentGroups/facility-sensors')).toBe(true);
      expect(await exists(sandbox, '/registrations/facility-sensor-01')).toBe(true);
      expect(await allEnrollmentIds(sandbox)).toHaveLength(seededEnrollmentCount - 2);
    });

    it('is safe to repeat: what is gone counts as done', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      await adapter.erase(alex, context());
      expect(await adapter.erase(alex, context())).toEqual({ summary: { code: 'dps.removed', enrollments: 0, registrations: 0, planned: false, uncoveredHubs: [] }, count: 0 });
    });

    it('treats a 404 on delete as already done and goes on', async () => {
      const sandbox = await startSandbox();
      await addFault(sandbox, { status: 404, count: 1, method: 'DELETE', pathPrefix: '/registrations/reg-phone-alex' });
      const report = await adapterFor(sandbox).erase(alex, context());
      expect(report.count).toBe(3);
      expect(await exists(sandbox, '/enrollments/reg-phone-alex')).toBe(false);
    });

    it('says how many devices are left in a hub it does not cover, naming the hub', async () => {
      const sandbox = await startSandbox();
      const report = await adapterFor(sandbox).erase(megan, context());
      expect(report.count).toBe(4);
      expect(report.summary).toMatchObject({ code: 'dps.removed', uncoveredHubs: [{ hub: LAB_HUB, devices: 1 }] });
      expect(JSON.stringify(report.summary)).not.toMatch(/tracker|wearable|megan/i);
    });

    it('answers a 412 by reading again and deleting the new version', async () => {
      const sandbox = await startSandbox({
        enrollments: [enrollmentSeed('reg-phone-alex', alex.aadObjectId), enrollmentSeed('reg-other', lee.aadObjectId)],
        registrations: [], enrollmentGroups: [],
      });
      // The delete waits in the sandbox while the enrollment changes under it: its If-Match is stale.
      await addFault(sandbox, { delayMs: 3_000, count: 1, method: 'DELETE', pathPrefix: '/enrollments/reg-phone-alex' });
      const erasing = adapterFor(sandbox).erase(alex, context());
      await waitFor('the delete to arrive', async () => (await stats(sandbox)).requests['DELETE /enrollments/{id}'] === 1);
      const current = (await get(sandbox, '/enrollments/reg-phone-alex')).body as Record<string, unknown>;
      const changed = await rawRequest(sandbox, 'PUT', `/enrollments/reg-phone-alex?${API}`, {
        body: { ...current, deviceId: 'phone-alex-renamed' }, headers: { ...AUTH, 'If-Match': current.etag as string },
      });
      expect(changed.status).toBe(200);

      expect(await erasing).toMatchObject({ count: 1 });
      expect((await stats(sandbox)).requests['DELETE /enrollments/{id}']).toBe(2);
      expect(await exists(sandbox, '/enrollments/reg-phone-alex')).toBe(false);
      expect(await exists(sandbox, '/enrollments/reg-other')).toBe(true);
    });

    it('leaves an enrollment re-tagged to someone else between its read and its delete', async () => {
      const sandbox = await startSandbox({
        enrollments: [enrollmentSeed('reg-phone-alex', alex.aadObjectId)], registrations: [], enrollmentGroups: [],
      });
      await addFault(sandbox, { delayMs: 3_000, count: 1, method: 'DELETE', pathPrefix: '/enrollments/reg-phone-alex' });
      const erasing = adapterFor(sandbox).erase(alex, context());
      await waitFor('the delete to arrive', async () => (await stats(sandbox)).requests['DELETE /enrollments/{id}'] === 1);
      const current = (await get(sandbox, '/enrollments/reg-phone-alex')).body as Record<string, unknown>;
      await rawRequest(sandbox, 'PUT', `/enrollments/reg-phone-alex?${API}`, {
        body: { ...current, initialTwin: { tags: { owner: lee.aadObjectId } } }, headers: { ...AUTH, 'If-Match': current.etag as string },
      });

      expect(await erasing).toMatchObject({ count: 0 });
      expect(await exists(sandbox, '/enrollments/reg-phone-alex')).toBe(true);
    });

    it('fails the step when the enrollment keeps changing (412 twice)', async () => {
      const sandbox = await startSandbox({
        enrollments: [enrollmentSeed('reg-phone-alex', alex.aadObjectId)], registrations: [], enrollmentGroups: [],
      });
      await addFault(sandbox, { status: 412, count: 2, method: 'DELETE', pathPrefix: '/enrollments/reg-phone-alex' });
      const error = await adapterFor(sandbox).erase(alex, context()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ service: 'dps', statusCode: 412 });
      expect(await exists(sandbox, '/enrollments/reg-phone-alex')).toBe(true);
    });
  });

  describe('restrict', () => {
    it('disables the subject\'s enrollments and keeps them and their keys', async () => {
      const sandbox = await startSandbox();
      const before = (await get(sandbox, '/enrollments/reg-wearable-megan-01')).body as { attestation: { symmetricKey: { primaryKey: string } } };
      const report = await adapterFor(sandbox).restrict(megan, context('restrict'));
      expect(report.count).toBe(2);
      expect(report.summary).toMatchObject({ code: 'dps.disabled', uncoveredHubs: [{ hub: LAB_HUB, devices: 1 }] });
      const after = (await get(sandbox, '/enrollments/reg-wearable-megan-01')).body as { provisioningStatus: string; attestation: { symmetricKey: { primaryKey: string } } };
      expect(after.provisioningStatus).toBe('disabled');
      expect(after.attestation.symmetricKey.primaryKey).toBe(before.attestation.symmetricKey.primaryKey);
      expect(((await get(sandbox, '/enrollments/reg-wearable-alex-01')).body as { provisioningStatus: string }).provisioningStatus).toBe('enabled');
      expect((await adapterFor(sandbox).restrict(megan, context('restrict'))).count).toBe(0);
    });
  });

  describe('liftRestriction', () => {
    const status = async (sandbox: DpsSandbox, id: string) => ((await get(sandbox, `/enrollments/${id}`)).body as { provisioningStatus: string }).provisioningStatus;

    it('enables again exactly the enrollments the restriction disabled, not one disabled before it', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      const plan = (await adapter.discover(megan, context('restrict'))).plan!;
      // An admin disabled the tracker before the restriction: the restriction keeps it, the lift must leave it disabled.
      const tracker = (await get(sandbox, '/enrollments/reg-tracker-megan')).body as Record<string, unknown>;
      expect((await rawRequest(sandbox, 'PUT', `/enrollments/reg-tracker-megan?${API}`, { body: { ...tracker, provisioningStatus: 'disabled' }, headers: AUTH })).status).toBe(200);

      const restricted = await adapter.restrict(megan, withPlan(plan, 'restrict'));
      expect(sorted(restricted.items).filter((i) => i.type === 'enrollment')).toEqual([
        { type: 'enrollment', id: 'reg-tracker-megan', result: 'kept' },
        { type: 'enrollment', id: 'reg-wearable-megan-01', result: 'changed' },
      ]);

      const changed = restricted.items!.filter((i) => i.result === 'changed');
      const lifted = await adapter.liftRestriction(megan, changed, context('restrict'));

      expect(lifted).toEqual({ summary: { code: 'dps.enabled', enrollments: 1 }, count: 1, items: [{ type: 'enrollment', id: 'reg-wearable-megan-01', result: 'changed' }] });
      expect(await status(sandbox, 'reg-wearable-megan-01')).toBe('enabled');
      expect(await status(sandbox, 'reg-tracker-megan')).toBe('disabled');
      // Repeated (a retried lift), what is enabled already counts as kept.
      expect((await adapter.liftRestriction(megan, changed, context('restrict'))).items).toEqual([{ type: 'enrollment', id: 'reg-wearable-megan-01', result: 'kept' }]);
    });

    it('leaves an enrollment re-tagged to someone else since the restriction as it is', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      const restricted = await adapter.restrict(megan, withPlan((await adapter.discover(megan, context('restrict'))).plan!, 'restrict'));
      const wearable = (await get(sandbox, '/enrollments/reg-wearable-megan-01')).body as { initialTwin: Record<string, unknown> };
      expect((await rawRequest(sandbox, 'PUT', `/enrollments/reg-wearable-megan-01?${API}`, { body: { ...wearable, initialTwin: { tags: { owner: alex.aadObjectId } } }, headers: AUTH })).status).toBe(200);

      const lifted = await adapter.liftRestriction(megan, restricted.items!.filter((i) => i.result === 'changed'), context('restrict'));

      expect(sorted(lifted.items)).toEqual([
        { type: 'enrollment', id: 'reg-tracker-megan', result: 'changed' },
        { type: 'enrollment', id: 'reg-wearable-megan-01', result: 'kept' },
      ]);
      expect(await status(sandbox, 'reg-tracker-megan')).toBe('enabled');
      expect(await status(sandbox, 'reg-wearable-megan-01')).toBe('disabled');
    });
  });

  describe('calls', () => {
    it('survives a burst of 429 with Retry-After', async () => {
      const sandbox = await startSandbox();
      await addFault(sandbox, { status: 429, count: 4, retryAfterSeconds: 1, pathPrefix: '/enrollments/query' });
      expect(await adapterFor(sandbox).discover(alex, context())).toMatchObject({ count: 4 });
      expect((await stats(sandbox)).faultsServed).toBe(4);
    });

    it('survives a connection dropped without an answer, asking again', async () => {
      const sandbox = await startSandbox();
      await addFault(sandbox, { drop: true, count: 1, pathPrefix: '/enrollments/query' });
      expect(await adapterFor(sandbox).discover(alex, context())).toMatchObject({ count: 4 });
      expect((await stats(sandbox)).faultsServed).toBe(1);
    });

    it('reports a permanent 500 as a ServiceError naming the service, without personal values', async () => {
      const sandbox = await startSandbox();
      await addFault(sandbox, { status: 500, count: -1 });
      const error = await adapterFor(sandbox, { policy: { ...FAST_POLICY, maxRetries: 2 } }).discover(alex, context()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ service: 'dps', statusCode: 500 });
      expect((error as Error).message).toMatch(/^dps: query individual enrollments answered 500 after 3 tries/);
      expect((error as Error).message).not.toMatch(/alex|e2000000/i);
    });

    it('authenticates with a shared access signature instead of a token', async () => {
      const sandbox = await startSandbox();
      const adapter = new DpsAdapter({
        endpoint: sandbox.url,
        sasToken: 'SharedAccessSignature sr=contoso-dps.azure-devices-provisioning.net&sig=c2lnbmF0dXJl&se=4102444800&skn=provisioningserviceowner',
        policy: FAST_POLICY,
      });
      expect(await adapter.discover(alex, context())).toMatchObject({ count: 4 });
    });

    it('fails with 401 when no credential reaches the service', async () => {
      const sandbox = await startSandbox();
      const adapter = new DpsAdapter({ endpoint: sandbox.url, sasToken: () => '', policy: FAST_POLICY });
      await expect(adapter.discover(alex, context())).rejects.toMatchObject({ service: 'dps', statusCode: 401 });
    });
  });

  describe('injection', () => {
    it.each([
      ["x' OR 1=1 OR T.$dtId != '", "x' OR 1=1 OR T.$dtId != '"],
      ['*', '%'],
      ["e2000000-0000-4000-8000-000000000011' OR '1'='1", "alex.wilber@contoso.test' OR ''='"],
      ['e2000000-0000-4000-8000-000000000011 ', ' alex.wilber@contoso.test'],
    ])('a subject id %j never widens the match: nothing of another subject is found or deleted', async (aadObjectId, email) => {
      const sandbox = await startSandbox();
      const intruder: Subject = { aadObjectId, email, upn: email, displayName: 'x' };
      const adapter = adapterFor(sandbox);
      expect(await adapter.discover(intruder, context())).toEqual({ count: 0, plan: [], items: [] });
      expect(await adapter.registeredDevices(intruder, context())).toEqual([]);
      expect((await adapter.erase(intruder, context())).count).toBe(0);
      expect(await allEnrollmentIds(sandbox)).toHaveLength(seededEnrollmentCount);
      expect(await exists(sandbox, '/registrations/reg-phone-alex')).toBe(true);
    });

    it('an empty e-mail matches no enrollment with an empty owner tag', async () => {
      const sandbox = await startSandbox({
        enrollments: [enrollmentSeed('reg-blank-owner', '')], registrations: [], enrollmentGroups: [],
      });
      const found = await adapterFor(sandbox).discover({ aadObjectId: '', email: '', upn: '', displayName: '' }, context());
      expect(found.count).toBe(0);
    });
  });
  describe('with an approved plan', () => {
    it('plans each enrollment and registration record with its id and why it matched', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      expect(sorted((await adapter.discover(alex, context())).plan)).toEqual(ALEX_PLAN);
      expect((await adapter.discover(diego, context())).plan).toEqual([{ type: 'enrollment', id: 'reg-desk-display-diego', reason: 'initialTwinTag:owner' }]);
      const nested: DpsSeedEnrollment = { ...enrollmentSeed('reg-nested', undefined), initialTwin: { tags: { people: { owner: alex.email } } } };
      const nestedSandbox = await startSandbox({ enrollments: [nested], registrations: [], enrollmentGroups: [] });
      expect((await adapterFor(nestedSandbox, { ownerTag: 'people.owner' }).discover(alex, context())).plan)
        .toEqual([{ type: 'enrollment', id: 'reg-nested', reason: 'initialTwinTag:people.owner' }]);
    });

    it('leaves an enrollment added for the subject after discovery alone and reports it as delta', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      const { plan } = await adapter.discover(alex, context());
      await enroll(sandbox, 'reg-shared-kiosk', alex.email);
      const before = await recordsInState(sandbox);

      const report = await adapter.erase(alex, withPlan(plan!));

      expect(sorted(report.items)).toEqual(ALEX_PLAN.map(({ type, id }) => ({ type, id, result: 'removed' })));
      expect(report.delta).toEqual([{ type: 'enrollment', id: 'reg-shared-kiosk', reason: 'initialTwinTag:owner' }]);
      expect(report.count).toBe(4);
      expect(report.summary).toEqual({ code: 'dps.removed', enrollments: 2, registrations: 2, planned: true, uncoveredHubs: [] });
      const after = await recordsInState(sandbox);
      expect(before.enrollments.filter((id) => !after.enrollments.includes(id)).sort()).toEqual(['reg-phone-alex', 'reg-wearable-alex-01']);
      expect(before.registrations.filter((id) => !after.registrations.includes(id)).sort()).toEqual(['reg-phone-alex', 'reg-wearable-alex-01']);
      expect(after.enrollments).toContain('reg-shared-kiosk');
    });

    it('leaves a registration record the plan does not hold and reports it as delta, while deleting its planned enrollment', async () => {
      const sandbox = await startSandbox();
      // Discovered before the phone registered: its enrollment is planned, its registration record is not.
      const plan = ALEX_PLAN.filter((item) => !(item.type === 'registration' && item.id === 'reg-phone-alex'));
      const report = await adapterFor(sandbox).erase(alex, withPlan(plan));
      expect(report.delta).toEqual([{ type: 'registration', id: 'reg-phone-alex', reason: 'enrollment' }]);
      expect(report.count).toBe(3);
      const after = await recordsInState(sandbox);
      expect(after.registrations).toContain('reg-phone-alex');
      expect(after.enrollments).not.toContain('reg-phone-alex');
    });

    it('reports a planned enrollment deleted before execution as alreadyGone, and one re-tagged to someone else as kept with its record', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      const { plan } = await adapter.discover(alex, context());
      expect((await rawRequest(sandbox, 'DELETE', `/enrollments/reg-phone-alex?${API}`, { headers: AUTH })).status).toBe(204);
      const wearable = (await get(sandbox, '/enrollments/reg-wearable-alex-01')).body as Record<string, unknown>;
      await rawRequest(sandbox, 'PUT', `/enrollments/reg-wearable-alex-01?${API}`, {
        body: { ...wearable, initialTwin: { tags: { owner: lee.aadObjectId } } }, headers: { ...AUTH, 'If-Match': wearable.etag as string },
      });

      const report = await adapter.erase(alex, withPlan(plan!));

      expect(sorted(report.items)).toEqual([
        { type: 'enrollment', id: 'reg-phone-alex', result: 'alreadyGone' },
        { type: 'enrollment', id: 'reg-wearable-alex-01', result: 'kept' },
        { type: 'registration', id: 'reg-phone-alex', result: 'removed' },
        { type: 'registration', id: 'reg-wearable-alex-01', result: 'kept' },
      ]);
      expect(report).toMatchObject({ count: 1, delta: [] });
      const after = await recordsInState(sandbox);
      expect(after.enrollments).toContain('reg-wearable-alex-01');
      expect(after.registrations).toContain('reg-wearable-alex-01');
      expect(after.registrations).not.toContain('reg-phone-alex');
    });

    it('deletes a planned enrollment with the version the query returned, reading no planned enrollment again', async () => {
      const sandbox = await startSandbox();
      const { plan } = await adapterFor(sandbox).discover(alex, context());
      await rawRequest(sandbox, 'POST', '/_sandbox/stats/reset');
      await adapterFor(sandbox).erase(alex, withPlan(plan!));
      const { requests } = await stats(sandbox);
      expect(requests['GET /enrollments/{id}']).toBeUndefined();
      // One read of each planned registration record, for the etag its delete sends.
      expect(requests['GET /registrations/{id}']).toBe(2);
      expect(requests['DELETE /enrollments/{id}']).toBe(2);
    });

    it('restricts only the planned enrollments: they are disabled (changed), an enrollment added after discovery stays enabled as delta', async () => {
      const sandbox = await startSandbox();
      const adapter = adapterFor(sandbox);
      const { plan } = await adapter.discover(megan, context('restrict'));
      await enroll(sandbox, 'reg-shared-kiosk', megan.aadObjectId);

      const report = await adapter.restrict(megan, withPlan(plan!, 'restrict'));

      expect(sorted(report.items)).toEqual([
        { type: 'enrollment', id: 'reg-tracker-megan', result: 'changed' },
        { type: 'enrollment', id: 'reg-wearable-megan-01', result: 'changed' },
        { type: 'registration', id: 'reg-tracker-megan', result: 'kept' },
        { type: 'registration', id: 'reg-wearable-megan-01', result: 'kept' },
      ]);
      expect(report).toMatchObject({ count: 2, delta: [{ type: 'enrollment', id: 'reg-shared-kiosk', reason: 'initialTwinTag:owner' }] });
      const status = async (id: string) => ((await get(sandbox, `/enrollments/${id}`)).body as { provisioningStatus: string }).provisioningStatus;
      expect(await status('reg-wearable-megan-01')).toBe('disabled');
      expect(await status('reg-tracker-megan')).toBe('disabled');
      expect(await status('reg-shared-kiosk')).toBe('enabled');
    });

    it('refuses a plan holding anything but enrollments and registration records, before changing anything', async () => {
      const sandbox = await startSandbox();
      const before = await recordsInState(sandbox);
      const error = await adapterFor(sandbox).erase(alex, withPlan([{ type: 'device', id: 'phone-alex', reason: 'dpsRegistration' }])).catch((e: unknown) => e);
      expect(error).toMatchObject({ service: 'dps', code: 'UnknownPlanItem' });
      expect(await recordsInState(sandbox)).toEqual(before);
    });
  });
});

describe('DpsAdapter sharing its enrollment listing across requests', () => {
  it('lists the enrollments once for the discoveries and exports within the window, afresh for an erasure, and again after the window', async () => {
    const sandbox = await startSandbox();
    const pages = Math.ceil(seededEnrollmentCount / 100);
    let now = 0;
    const adapter = adapterFor(sandbox, { sharedListingMs: 10_000, listingClock: { now: () => now } });
    const queries = async () => (await stats(sandbox)).requests['POST /enrollments/query'];

    const [alexFound, meganFound] = await Promise.all([adapter.discover(alex, context('export')), adapter.discover(megan, context('export'))]);
    expect(alexFound.items).toEqual([{ code: 'dps.enrollments', count: 2 }, { code: 'dps.registrations', count: 2 }]);
    expect(meganFound.items).toEqual([{ code: 'dps.enrollments', count: 2 }, { code: 'dps.registrations', count: 2 }]);
    now = 9_999;
    await enroll(sandbox, 'reg-shared-kiosk', alex.email);
    const files = await collectFiles(adapter.export(alex, context('export')));
    // From the listing the discoveries shared, made before the kiosk was enrolled.
    expect((files['enrollments.json'] as { registrationId: string }[]).map((enrollment) => enrollment.registrationId).sort()).toEqual(['reg-phone-alex', 'reg-wearable-alex-01']);
    expect(await queries()).toBe(pages);

    // The erasure lists afresh: the kiosk enrolled meanwhile goes too.
    const erased = await adapter.erase(alex, context('erase'));
    expect(erased.summary).toMatchObject({ enrollments: 3, registrations: 2 });
    expect(await queries()).toBe(2 * pages);
    expect((await recordsInState(sandbox)).enrollments).not.toContain('reg-shared-kiosk');

    now = 9_999 + 10_000;
    expect((await adapter.discover(alex, context('export'))).count).toBe(0);
    expect(await queries()).toBe(3 * pages);
  });
});
