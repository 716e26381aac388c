import { BotStack, startBotStack } from '../support/botStack';
import { unzip } from '../support/unzip';
import { waitFor } from '../support/waitFor';
import { approveBy, cardOf, fileRequest } from '../support/flowSteps';
import { TenantUser } from '../../src/sandbox/tenant';

jest.setTimeout(120_000);

let stack: BotStack;
let priya: TenantUser, alex: TenantUser;

beforeAll(async () => {
  stack = await startBotStack('package-language');
  [priya, alex] = ['Priya', 'Alex'].map((n) => stack.user(n));
  expect(await stack.teams.sayInChannel(priya, stack.teams.channelId, 'register approvals')).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

/** The ZIP behind the first link the bot sent into `user`'s chat for request `id`. */
async function packageOf(user: TenantUser, id: string): Promise<Map<string, Buffer>> {
  const chat = stack.teams.personalConversationId(user);
  const url = await waitFor('the download link', () =>
    stack.connector.to(chat)
      .flatMap((s) => ((cardOf(s)?.actions ?? []) as { url?: string }[]).map((a) => a.url))
      .find((u) => u?.includes(`${id}-export`)),
  );
  return unzip(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

describe('the export package in the requester\'s language', () => {
  it('gives a German-speaking requester a German README, file names and manifest unchanged', async () => {
    stack.teams.speaks(alex, 'de-DE');
    const id = await fileRequest(stack, alex, 'exportiere meine Daten', { kind: 'export', regime: 'GDPR', services: 'entra,botStore' });
    await approveBy(stack, id, [priya]);

    const files = await packageOf(alex, id);
    const readme = files.get('README.html')!.toString();
    expect(readme).toContain('<html lang="de">');
    expect(readme).toContain(`<h1>Ihre Daten, Antrag ${id}</h1>`);
    expect(readme).toContain('<code>entra/authentication-methods.json</code>');
    expect(readme).toContain('die für Ihre Anmeldung registrierten Telefonnummern und E-Mail-Adressen');
    expect(readme).toContain('Die Geräte, die Sie in Entra ID besitzen oder registriert haben, sind nicht enthalten');
    expect(readme).not.toMatch(/Your data|Prepared for|not included|lists every file/);
    // The manifest is data: its keys and file names stay as they are in every language.
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { requestId: string; files: { path: string }[] };
    expect(manifest.requestId).toBe(id);
    expect(manifest.files.map((f) => f.path)).toContain('entra/profile.json');
  });
});
