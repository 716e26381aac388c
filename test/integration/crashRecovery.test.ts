import { TenantUser } from '../../src/sandbox/tenant';
import { ProcessStack, startProcessStack } from '../support/botProcess';
import { approveBy, fileRequest } from '../support/flowSteps';
import { SandboxProbe } from '../support/sandboxProbe';
import { waitFor } from '../support/waitFor';

/**
 * How long a crash holds up an approved export, with the bot's default settings: the job's queue
 * visibility and the request's run lease are both 30 s (renewed while the job runs), so a new
 * worker takes the job up within 30 s of the crash, where a 300 s visibility held it five minutes.
 */
jest.setTimeout(180_000);

const DEFAULT_RECOVERY_SECONDS = 30;

let stack: ProcessStack;
let priya: TenantUser, megan: TenantUser;

beforeAll(async () => {
  // No DSR_JOB_VISIBILITY_SECONDS: the bot's own default, as deployed.
  stack = await startProcessStack('crash-recovery', { DSR_JOB_VISIBILITY_SECONDS: '' });
  [priya, megan] = ['Priya', 'Megan'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

it('delivers an export within the recovery bound after the bot is killed in the middle of it', async () => {
  const id = await fileRequest(stack, megan, 'export my data', { kind: 'export', regime: 'GDPR', services: 'entra,digitalTwins,botStore' });
  await waitFor(`${id} to await approval`, async () => (await stack.store.get(id))?.request.state === 'awaiting_approval');

  // The export's Digital Twins query is held: the job is in flight, its lease and message held.
  const probe = new SandboxProbe(stack.sandbox);
  await probe.inject('digitalTwins', { delayMs: 60_000, count: 1, method: 'POST', pathPrefix: '/query' });
  await approveBy(stack, id, [priya]);
  const held = await waitFor('the export to hold its run lease', async () => {
    const request = (await stack.store.get(id))?.request;
    return request?.state === 'executing' && request.lease ? request.lease : undefined;
  });
  // The run writes its lease, then audits its start: kill it only once both are written.
  await waitFor('the run to audit its start', async () => (await stack.audit.entries(id)).some((e) => e.event === 'execution started'));

  stack.bot.child.kill('SIGKILL');
  await stack.bot.exited;
  const crashedAt = Date.now();
  // The held query counts against its rule until it is answered: lift the rule so the new run is not held too.
  await probe.clearFaults('digitalTwins');
  await stack.startBot();

  const chat = stack.teams.personalConversationId(megan);
  await waitFor('the download card', () => stack.connector.latestCard(chat, 'Download your data'), 90_000);
  const recoveredInMs = Date.now() - crashedAt;
  console.log(`crash recovery: export link ${recoveredInMs} ms after the kill (bound ${DEFAULT_RECOVERY_SECONDS} s)`);

  // Taken up by the new worker once the crashed one's lease and message ran out, and audited so.
  expect(recoveredInMs).toBeLessThan((DEFAULT_RECOVERY_SECONDS + 10) * 1000);
  const audit = await stack.audit.entries(id);
  expect(audit.filter((e) => e.event === 'lease taken over').map((e) => e.detail)).toEqual([{ expiredAt: held.expiresAt }]);
  expect(audit.filter((e) => e.event === 'execution started')).toHaveLength(1);
  expect((await stack.store.get(id))?.request.state).toBe('completed');
});
