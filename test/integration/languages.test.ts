import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BotStack, startBotStack } from '../support/botStack';
import { contentOf } from '../support/fakeBotConnector';
import { waitFor } from '../support/waitFor';
import { sandboxStatePath } from '../../src/sandbox/common';
import { seedGraphState } from '../../src/sandbox/graph/graphState';
import { Tenant, TenantUser } from '../../src/sandbox/tenant';

/**
 * Employees who speak German, French and Spanish, through the Bot Framework protocol: the reply to
 * a message the bot does not understand, a card input it refuses and a refusal of the domain come
 * in the language of their Teams locale; without a Teams locale, in their Entra preferredLanguage.
 */
jest.setTimeout(180_000);

const MESSAGE = 'application/vnd.microsoft.activity.message';
const CARD = 'application/vnd.microsoft.card.adaptive';

let stack: BotStack;
let sequence = 0;

/** Megan has no Teams locale in these activities, but Spanish as her Entra preferredLanguage. */
function meganPrefersSpanish(dataDir: string, tenant: Tenant): void {
  const state = seedGraphState(tenant);
  const meganId = tenant.users.find((u) => u.displayName === 'Megan Bowen')!.aadObjectId;
  const file = sandboxStatePath(dataDir, 'graph');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...state, users: state.users.map((u) => (u.id === meganId ? { ...u, preferredLanguage: 'es-ES' } : u)) }));
}

beforeAll(async () => {
  stack = await startBotStack('languages', {}, meganPrefersSpanish);
});

afterAll(async () => {
  await stack?.stop();
});

/** An activity in `user`'s 1:1 chat as Teams sends it, with their Teams `locale` (none when undefined). */
function activity(user: TenantUser, locale: string | undefined, changes: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `languages-${++sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: stack.connector.url,
    recipient: { id: '28:dsr-bot', name: 'DSR Bot' },
    ...(locale ? { locale } : {}),
    from: { id: user.teamsUserId, name: user.displayName, aadObjectId: user.aadObjectId },
    conversation: { id: stack.teams.personalConversationId(user), conversationType: 'personal', tenantId: stack.tenant.tenantId },
    channelData: { tenant: { id: stack.tenant.tenantId } },
    ...changes,
  };
}

/** What the bot answers in `user`'s chat to `text` (its reply, not a notice that went out meanwhile). */
async function reply(user: TenantUser, locale: string | undefined, text: string): Promise<string> {
  const chat = stack.teams.personalConversationId(user);
  const before = stack.connector.to(chat).length;
  const message = activity(user, locale, { type: 'message', text });
  expect((await stack.teams.postRaw(JSON.stringify(message))).status).toBe(200);
  return contentOf(await waitFor('the reply', () => stack.connector.to(chat).slice(before).find((s) => s.kind === 'send' && s.activity.replyToId === message.id)));
}

/** A click on a card button: its answer, a message or a card (as JSON text). */
async function click(user: TenantUser, locale: string | undefined, verb: string, data: Record<string, unknown>): Promise<{ type: string; text: string }> {
  const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
  const response = await stack.teams.postRaw(JSON.stringify(activity(user, locale, { type: 'invoke', name: 'adaptiveCard/action', replyToId: 'card', value })));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { type: string; value: unknown };
  return { type: body.type, text: typeof body.value === 'string' ? body.value : JSON.stringify(body.value) };
}

/** The notice at the top of a card answer, as a person reads it (Teams' markdown escapes undone). */
function noticeOf(card: { type: string; text: string }): string {
  expect(card.type).toBe(CARD);
  const first = (JSON.parse(card.text) as { body: { text?: string }[] }).body[0]?.text ?? '';
  return first.replace(/\\(.)/g, '$1');
}

interface Language {
  locale: string;
  user: string;
  notUnderstood: string;
  noLaw: string;
  received: RegExp;
  cancelled: string;
  notCancellable: (id: string) => string;
}

const LANGUAGES: Language[] = [
  {
    locale: 'de-DE',
    user: 'Alex',
    notUnderstood: 'Das habe ich nicht verstanden. Ich kann die Daten, die wir über Sie gespeichert haben, exportieren, anzeigen, berichtigen, einschränken oder löschen.',
    noLaw: 'Bitte wählen Sie das Gesetz, auf das Sie sich berufen (DSGVO oder CCPA).',
    received: /Eingegangen\. Ihre Antragsnummer ist (DSR-\d{4}-\d{4}); ich halte diese Karte auf dem neuesten Stand\./,
    cancelled: 'ist zurückgezogen. Es wurde nichts geändert.',
    notCancellable: (id) => `${id} hat bereits den Status „Zurückgezogen“ und kann nicht mehr zurückgezogen werden.`,
  },
  {
    locale: 'fr-FR',
    user: 'Diego',
    notUnderstood: "Je n'ai pas compris. Je peux exporter, afficher, rectifier, limiter ou effacer les données que nous détenons à votre sujet.",
    noLaw: 'Veuillez choisir la loi que vous invoquez (RGPD ou CCPA).',
    received: /Reçue\. Votre numéro de demande est (DSR-\d{4}-\d{4}) ; je tiendrai cette carte à jour\./,
    cancelled: "est retirée. Rien n'a été modifié.",
    notCancellable: (id) => `${id} est déjà au statut « Retirée » et ne peut plus être retirée.`,
  },
  {
    locale: 'es-ES',
    user: 'Lee',
    notUnderstood: 'No le he entendido. Puedo exportar, mostrar, rectificar, limitar o suprimir los datos que tenemos sobre usted.',
    noLaw: 'Elija la ley en la que se basa (RGPD o CCPA).',
    received: /Recibida\. El número de su solicitud es (DSR-\d{4}-\d{4}); mantendré esta tarjeta actualizada\./,
    cancelled: 'se ha retirado. No se ha cambiado nada.',
    notCancellable: (id) => `${id} ya está en estado «Retirada» y ya no se puede retirar.`,
  },
];

describe.each(LANGUAGES)('an employee whose Teams speaks $locale', (language) => {
  let user: TenantUser;
  beforeAll(() => {
    user = stack.user(language.user);
  });

  it('is told in their language that the bot did not understand', async () => {
    const answer = await reply(user, language.locale, 'xyzzy plugh');
    expect(answer).toContain(language.notUnderstood);
    expect(answer).not.toMatch(/didn't catch that/);
  });

  it('is told in their language what is wrong with a card, and nothing is filed', async () => {
    expect(await click(user, language.locale, 'dsr.submit', { kind: 'export', services: 'entra' })).toEqual({ type: MESSAGE, text: language.noLaw });
  });

  it('files, cancels and is refused a second cancel in their language, the state named in it', async () => {
    const filed = noticeOf(await click(user, language.locale, 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra' }));
    const id = language.received.exec(filed)?.[1];
    expect(id).toMatch(/^DSR-\d{4}-\d{4}$/);

    // Cancelled on its own status card: the answer is the message, the notifier's refresh rewrites the card once.
    const cancelled = await click(user, language.locale, 'dsr.cancel', { requestId: id });
    expect(cancelled.type).toBe('application/vnd.microsoft.activity.message');
    expect(cancelled.text.replace(/\\(.)/g, '$1')).toBe(`${id} ${language.cancelled}`);

    expect(await click(user, language.locale, 'dsr.cancel', { requestId: id })).toEqual({ type: MESSAGE, text: language.notCancellable(id!) });
  });
});

describe('an activity whose locale the bot does not speak', () => {
  it.each(['tlh-KX', 'x{y}', 'de\u202e-DE'])('is answered in the default language (%p)', async (locale) => {
    const chen = stack.user('Chen');
    const answer = await reply(chen, locale, 'xyzzy plugh');
    expect(answer).toBe("I didn't catch that. I can export, show, correct, restrict or delete the data we hold about you. Type help to see the options.");
  });
});

describe('an employee whose activity carries no locale', () => {
  it('is answered in their Entra preferredLanguage when the bot has looked them up, else in the default language', async () => {
    const megan = stack.user('Megan');
    expect(await reply(megan, undefined, 'xyzzy plugh')).toContain("I didn't catch that.");
    const filed = noticeOf(await click(megan, undefined, 'dsr.submit', { kind: 'export', regime: 'GDPR', services: 'entra' }));
    expect(filed).toMatch(/Recibida\. El número de su solicitud es DSR-\d{4}-\d{4}; mantendré esta tarjeta actualizada\./);
  });
});
