import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, calendarDay, DsrRequest, isoDay, isoWeek, median, REQUEST_KINDS } from '../../src/dsr';
import { loadLoginKey } from '../../src/sandbox/login/loginKey';
import { issueToken } from '../../src/sandbox/login/loginToken';
import { exportRegister } from '../../src/tools/registerExport';
import { BotStack, startBotStack } from '../support/botStack';

/**
 * The dashboard tab's API over HTTP against the running bot, Azurite and the sandbox sign-in:
 * who gets in (401/403/200), what each role sees, and that the figures are the register's.
 */
const PSEUDONYM_KEY = 'sandbox-only-pseudonym-key';
/** The bot's clock runs `shift` ms ahead of the sandbox sign-in's, which tests move to expire tokens. */
let shift = 0;
const clock = { now: () => new Date(Date.now() + shift) };

let stack: BotStack;
let signIn: { signIn: string; authorizeUrl: string; clientId: string; scope: string; tenantId: string };
const tokens: Record<string, string> = {};

const ROUTES = ['/tab/api/me', '/tab/api/queue', '/tab/api/requests/DSR-2026-9001', '/tab/api/charts', '/tab/api/register.csv', '/tab/api/register.json', '/tab/api/audit'];

async function tokenFor(upn: string): Promise<string> {
  const form = new URLSearchParams({ client_id: signIn.clientId, response_type: 'token', redirect_uri: `${stack.bot.url}/tab/`, scope: signIn.scope, state: 'st-1', nonce: 'n-1', upn });
  const answer = await fetch(signIn.authorizeUrl, { method: 'POST', body: form, redirect: 'manual' });
  expect(answer.status).toBe(302);
  const fragment = new URLSearchParams(new URL(answer.headers.get('location')!).hash.slice(1));
  expect(fragment.get('state')).toBe('st-1');
  return fragment.get('access_token')!;
}

const get = (route: string, token?: string) => fetch(`${stack.bot.url}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const json = async (route: string, token: string) => {
  const answer = await get(route, token);
  expect(answer.status).toBe(200);
  return (await answer.json()) as Record<string, unknown>;
};

/** A request about Alex Wilber, received `receivedDaysAgo` days before today and due `dueInDays` days after it. */
function request(n: number, receivedDaysAgo: number, dueInDays: number, overrides: Partial<DsrRequest> = {}): DsrRequest {
  const alex = stack.user('Alex Wilber');
  const today = new Date(`${calendarDay(clock.now(), 'UTC')}T10:00:00Z`);
  return {
    id: `DSR-2026-${String(9000 + n).padStart(4, '0')}`,
    kind: REQUEST_KINDS[n % REQUEST_KINDS.length],
    regime: n % 2 ? 'GDPR' : 'CCPA',
    state: 'awaiting_approval',
    subject: { aadObjectId: alex.aadObjectId, upn: alex.upn, email: alex.email, displayName: alex.displayName },
    requester: { aadObjectId: alex.aadObjectId, displayName: alex.displayName },
    channel: 'teams-chat',
    services: ['entra', 'botStore'],
    receivedAt: addDays(today, -receivedDaysAgo).toISOString().replace('T00:00:00.000Z', 'T10:00:00.000Z'),
    dueAt: isoDay(addDays(today, dueInDays)),
    discovery: { entra: { count: 1, items: [], plan: [{ type: 'user', id: alex.aadObjectId, reason: 'account' }] } },
    decisions: [],
    steps: {},
    cards: {},
    ...overrides,
  };
}

beforeAll(async () => {
  stack = await startBotStack('tab-api', {}, undefined, { clock });
  const config = await fetch(`${stack.bot.url}/tab/api/config`);
  signIn = (await config.json()) as typeof signIn;
  for (const [name, upn] of [['employee', 'grace.kim@contoso.test'], ['approver', 'priya.raman@contoso.test'], ['officer', 'chen.wei@contoso.test']]) {
    tokens[name] = await tokenFor(upn);
  }
  // Open requests 20, 7, 2 and -3 days from their due date; two closed ones, one late.
  const store = stack.bot.store;
  await store.create(request(1, 2, 20));
  await store.create(request(2, 30, 7));
  await store.create(request(3, 40, 2, { state: 'executing' }));
  await store.create(request(4, 50, -3));
  await store.create(request(5, 10, 20, { state: 'completed', closedAt: clock.now().toISOString() }));
  await store.create(request(6, 60, -5, { state: 'rejected', closedAt: clock.now().toISOString() }));
  await stack.bot.audit.append('DSR-2026-9001', 'created', { kind: 'access' });
  await stack.bot.audit.append('DSR-2026-9001', 'approved', { approver: stack.user('Priya Raman').aadObjectId });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the dashboard tab API', () => {
  it('tells the web app how to sign in: the sandbox sign-in on loopback, for the seeded tenant', () => {
    expect(signIn.signIn).toBe('sandbox');
    expect(new URL(signIn.authorizeUrl).hostname).toBe('127.0.0.1');
    expect(signIn.tenantId).toBe(stack.tenant.tenantId);
    expect(signIn.scope).toMatch(/\/access_as_user$/);
  });

  it('answers 401 on every route without a token, with a forged one, another tenant\'s, or an expired one', async () => {
    const key = await loadLoginKey(stack.dataDir);
    const chen = stack.user('Chen Wei');
    const issuer = new URL(signIn.authorizeUrl).href.replace(/\/oauth2\/v2\.0\/authorize$/, '/v2.0');
    const claims = { issuer, tenantId: stack.tenant.tenantId, clientId: signIn.clientId, scope: signIn.scope, user: chen, now: clock.now() };
    const otherKey = { ...key, privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
    const forged = issueToken({ ...claims, key: otherKey });
    const otherTenant = issueToken({ ...claims, key, tenantId: '11111111-2222-4333-8444-555555555555' });
    const wrongAudience = issueToken({ ...claims, key, scope: 'api://someone-else/access_as_user' });
    // The control: the same claims under the sandbox's own key get in.
    expect((await get('/tab/api/me', issueToken({ ...claims, key }))).status).toBe(200);
    for (const route of ROUTES) {
      for (const token of [undefined, 'not-a-token', forged, otherTenant, wrongAudience]) {
        const answer = await get(route, token);
        expect([route, answer.status]).toEqual([route, 401]);
        expect(await answer.json()).toEqual({ error: { code: 'Unauthenticated' } });
      }
    }
    shift = 2 * 60 * 60 * 1000;
    try {
      expect((await get('/tab/api/me', tokens.officer)).status).toBe(401);
    } finally {
      shift = 0;
    }
  });

  it('answers 403 NoAccess on every route to an employee in neither group', async () => {
    for (const route of ROUTES) {
      const answer = await get(route, tokens.employee);
      expect([route, answer.status]).toEqual([route, 403]);
      expect(await answer.json()).toEqual({ error: { code: 'NoAccess' } });
    }
  });

  it('lets an approver and a compliance officer in on every route, each with their role', async () => {
    for (const name of ['approver', 'officer']) {
      for (const route of ROUTES) expect([route, (await get(route, tokens[name])).status]).toEqual([route, 200]);
    }
    expect(await json('/tab/api/me', tokens.approver)).toMatchObject({ role: 'approver', displayName: 'Priya Raman' });
    expect(await json('/tab/api/me', tokens.officer)).toMatchObject({ role: 'complianceOfficer' });
  });

  it('lists open requests due first, with days left and urgency by the injected clock, filtered and searched', async () => {
    const queue = (await json('/tab/api/queue', tokens.officer)) as { requests: { id: string; daysLeft: number; urgency: string; subject: string }[] };
    const ours = queue.requests.filter((r) => r.id.startsWith('DSR-2026-90'));
    expect(ours.map((r) => [r.id, r.daysLeft, r.urgency])).toEqual([
      ['DSR-2026-9004', -3, 'overdue'],
      ['DSR-2026-9003', 2, 'urgent'],
      ['DSR-2026-9002', 7, 'soon'],
      ['DSR-2026-9001', 20, 'ok'],
    ]);
    const executing = (await json('/tab/api/queue?state=executing', tokens.officer)) as { requests: { id: string }[] };
    expect(executing.requests.map((r) => r.id)).toEqual(['DSR-2026-9003']);
    const searched = (await json('/tab/api/queue?q=dsr-2026-900', tokens.officer)) as { requests: { id: string }[] };
    expect(searched.requests.map((r) => r.id).sort()).toEqual(['DSR-2026-9001', 'DSR-2026-9002', 'DSR-2026-9003', 'DSR-2026-9004']);
  });

  it('shows a newly written request in the queue at once, from the store\'s write', async () => {
    await stack.bot.store.create(request(7, 0, 30));
    const queue = (await json('/tab/api/queue?q=DSR-2026-9007', tokens.officer)) as { requests: { id: string; urgency: string }[] };
    expect(queue.requests).toEqual([expect.objectContaining({ id: 'DSR-2026-9007', urgency: 'ok' })]);
  });

  it('never shows a compliance officer a subject\'s name, address or id; shows an approver the name on the request page only', async () => {
    const alex = stack.user('Alex Wilber');
    const personal = [alex.displayName, alex.upn, alex.email, alex.aadObjectId];
    for (const route of ['/tab/api/queue', '/tab/api/requests/DSR-2026-9001', '/tab/api/charts', '/tab/api/audit']) {
      const text = await (await get(route, tokens.officer)).text();
      for (const value of personal) expect([route, text.includes(value)]).toEqual([route, false]);
    }
    const queueForApprover = await (await get('/tab/api/queue', tokens.approver)).text();
    expect(queueForApprover.includes(alex.displayName)).toBe(false);
    const page = await json('/tab/api/requests/DSR-2026-9001', tokens.approver);
    expect(page.subject).toMatchObject({ displayName: alex.displayName });
    expect(JSON.stringify(page).includes(alex.aadObjectId)).toBe(false);
    expect(page.plan).toEqual([{ service: 'entra', items: 1 }]);
    const officerPage = await json('/tab/api/requests/DSR-2026-9001', tokens.officer);
    expect(officerPage.plan).toBeUndefined();
    expect(officerPage.steps).toBeUndefined();
  });

  it('shows a request\'s timeline from its audit chain, verified, and 404 for an unknown id', async () => {
    const page = await json('/tab/api/requests/DSR-2026-9001', tokens.officer);
    expect(page.timeline).toEqual([
      expect.objectContaining({ event: 'created', by: 'system' }),
      expect.objectContaining({ event: 'approved', by: 'approver' }),
    ]);
    expect(page.chainVerified).toBe(true);
    // A request with no chain at all is not verified.
    expect((await json('/tab/api/requests/DSR-2026-9002', tokens.officer)).chainVerified).toBe(false);
    const missing = await get('/tab/api/requests/DSR-2026-0999', tokens.officer);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NotFound' } });
  });

  it('hands out the same register CSV as npm run register:export, and charts whose numbers are its rows\'', async () => {
    const answer = await get('/tab/api/register.csv', tokens.officer);
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'dsr-tab-register-'));
    const exported = await exportRegister(stack.bot.store, { outDir, pseudonymKey: PSEUDONYM_KEY, clock, locale: 'en' });
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${path.basename(exported.csvPath)}"`);
    expect(await answer.text()).toBe(readFileSync(exported.csvPath, 'utf8'));

    const rows = exported.rows;
    const charts = (await json('/tab/api/charts', tokens.officer)) as {
      perWeek: Record<string, number | string>[]; daysToClose: { month: string; closed: number; median: number | null }[];
      withinDeadline: { month: string; closed: number; withinDeadline: number }[]; openPerService: { service: string; open: number }[];
    };
    for (const week of charts.perWeek) {
      for (const kind of REQUEST_KINDS) {
        expect([week.week, kind, week[kind]]).toEqual([week.week, kind, rows.filter((r) => r.kind === kind && isoWeek(r.receivedAt.slice(0, 10)) === week.week).length]);
      }
    }
    for (const month of charts.daysToClose) {
      const closed = rows.filter((r) => r.respondedAt.startsWith(month.month));
      expect([month.month, month.closed, month.median]).toEqual([month.month, closed.length, median(closed.map((r) => r.daysToRespond!))]);
    }
    const thisMonth = charts.withinDeadline.at(-1)!;
    expect(thisMonth).toMatchObject({ closed: 2, withinDeadline: 1 });
    expect(charts.openPerService).toEqual(expect.arrayContaining([{ service: 'entra', open: rows.filter((r) => r.open).length }]));
  });

  it('shows the audit state: the last digest and the last verification, null before either', async () => {
    expect(await json('/tab/api/audit', tokens.officer)).toEqual({ lastDigest: null, lastVerification: null });
    const digest = await stack.bot.digests.write();
    expect(await json('/tab/api/audit', tokens.officer)).toMatchObject({ lastDigest: { sequence: digest!.sequence, at: digest!.at } });
  });

  it('the sandbox sign-in refuses a redirect off loopback, and lists the seeded people', async () => {
    const query = new URLSearchParams({ client_id: signIn.clientId, response_type: 'token', redirect_uri: 'https://attacker.example/tab/', scope: signIn.scope, state: 's' });
    const refused = await fetch(`${signIn.authorizeUrl}?${query}`);
    expect(refused.status).toBe(400);
    query.set('redirect_uri', `${stack.bot.url}/tab/`);
    const page = await (await fetch(`${signIn.authorizeUrl}?${query}`)).text();
    expect(page).toContain('data-upn="chen.wei@contoso.test"');
    const posted = await fetch(signIn.authorizeUrl, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(query), redirect_uri: 'http://evil.example/', upn: 'chen.wei@contoso.test' }), redirect: 'manual' });
    expect(posted.status).toBe(400);
  });
});
