import restify from 'restify';
import { ActivityTypes, CloudAdapter, INVOKE_RESPONSE_KEY, InvokeResponse, TurnContext } from 'botbuilder';
import { Application, TurnState } from '@microsoft/teams-ai';
import { buttonMessage } from './bot/buttonMessage';
import { TEAMS_CHANNEL_ID } from './bot/turnIdentity';
import { Logger } from './dsr';
import { ForegroundTurns } from './foregroundTurns';

/** Activities larger than this are refused: Teams messages are capped at 100 KB, invokes are smaller. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDeps {
  adapter: CloudAdapter;
  app: Application<TurnState>;
  /** Each answers true when what it checks responds; /readyz is 200 only when all do. */
  readinessChecks: Record<string, (signal: AbortSignal) => Promise<boolean>>;
  log: Logger;
  /** The Microsoft 365 tenant whose Teams activities the bot acts on; every other is refused. */
  teamsTenantId: string;
  /** Counts the activities being answered, so that background jobs let them go first. */
  foreground: ForegroundTurns;
}

/** The Bot Framework's error body: `{ error: { code, message } }`. */
const errorBody = (code: string, message: string) => ({ error: { code, message } });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
/** Optional fields may be absent or null (the connector's serializers take both); anything else must have the right type. */
const given = (value: unknown) => value !== undefined && value !== null;

/** The string fields of an account (`from`, `recipient`, `conversation`) that go back out in every reply. */
const ACCOUNT_TEXT_FIELDS = ['name', 'aadObjectId', 'role', 'conversationType', 'tenantId'];

function accountProblem(activity: Record<string, unknown>, field: 'from' | 'recipient' | 'conversation'): string | undefined {
  const account = activity[field];
  if (!isObject(account) || !isText(account.id)) return `The activity has no ${field}.id.`;
  const wrong = ACCOUNT_TEXT_FIELDS.find((name) => given(account[name]) && typeof account[name] !== 'string');
  if (wrong) return `${field}.${wrong} must be a string.`;
  if (given(account.isGroup) && typeof account.isGroup !== 'boolean') return `${field}.isGroup must be true or false.`;
  return undefined;
}

/**
 * What makes `body` unusable as an activity, or undefined. Checked before botbuilder and teams-ai
 * see it: they throw (a 500) on a missing type or conversation, fail to reply to an account whose
 * fields are not strings, and fail mention handling on entities that are not a list of objects.
 */
export function activityProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'The body must be a Bot Framework activity: a JSON object.';
  if (!isText(body.type)) return 'The activity has no type.';
  if (!isText(body.channelId)) return 'The activity has no channelId.';
  if (!isText(body.serviceUrl) || !/^https?:\/\/[^\s]+$/i.test(body.serviceUrl)) return 'The activity has no serviceUrl (an http or https URL).';
  for (const field of ['from', 'recipient', 'conversation'] as const) {
    const problem = accountProblem(body, field);
    if (problem) return problem;
  }
  const wrongText = ['id', 'replyToId', 'locale', 'text', 'name'].find((name) => given(body[name]) && typeof body[name] !== 'string');
  if (wrongText) return `${wrongText} must be a string.`;
  if (given(body.attachments) && !(Array.isArray(body.attachments) && body.attachments.every(isObject))) return 'attachments must be a list of objects.';
  if (body.entities !== undefined) {
    // botbuilder reads every entity's type, and a mention's target, to strip @mentions of the bot.
    if (!Array.isArray(body.entities) || !body.entities.every((e) => isObject(e) && typeof e.type === 'string')) return 'entities must be a list of objects, each with a type.';
    const mentions = body.entities.filter((e) => e.type.toLowerCase() === 'mention');
    if (mentions.some((e) => !isObject(e.mentioned))) return 'A mention entity must say who is mentioned.';
    if (mentions.length > 0 && typeof body.text !== 'string') return 'A message with mentions must have text.';
  }
  return undefined;
}

/**
 * Why the bot must not act on `activity` at all, or undefined: it acts on Teams activities from
 * its own tenant only. Every tenant the activity names (`channelData.tenant.id`,
 * `conversation.tenantId`) must be `tenantId`, and it must name at least one. Checked before the
 * token too: a valid token only says the Bot Framework relayed the activity, for some channel.
 */
export function originProblem(activity: Record<string, unknown>, tenantId: string): string | undefined {
  if (activity.channelId !== TEAMS_CHANNEL_ID) return 'This bot takes activities from Microsoft Teams only.';
  const channelData = isObject(activity.channelData) ? activity.channelData : {};
  const named = [isObject(channelData.tenant) ? channelData.tenant.id : undefined, (activity.conversation as Record<string, unknown>).tenantId].filter(given);
  const ours = tenantId.toLowerCase();
  if (!ours || named.length === 0 || named.some((id) => typeof id !== 'string' || id.toLowerCase() !== ours)) {
    return 'This bot serves the users of one Microsoft 365 organisation only.';
  }
  return undefined;
}

const UNKNOWN_BUTTON = 'I do not know that button. It may be from an older version of me: type help to get a fresh card.';
const NO_CARD = 'I cannot tell which card that button is on. Type help to get a fresh card.';

/**
 * A card button that names no card (`replyToId`): Teams always sends it for a card the bot
 * posted, so this one was crafted. Refused before the app runs: answers that update the card in
 * place have no card to update, and would fail the turn.
 */
const namesNoCard = (context: TurnContext) =>
  context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action' && !context.activity.replyToId;

/** The answer to an invoke nothing in the app answered: a message for a card button, 400 for anything else. */
function unansweredInvoke(context: TurnContext): InvokeResponse {
  if (context.activity.name === 'adaptiveCard/action') return buttonMessage(UNKNOWN_BUTTON);
  return { status: 400, body: errorBody('UnsupportedInvoke', 'This bot does not handle this kind of invoke.') };
}

/** Refuses what the body reader should not read: anything but JSON, and compressed bodies (whose unpacked size has no limit). */
function onlyPlainJson(req: restify.Request, res: restify.Response, next: restify.Next): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    res.send(415, errorBody('UnsupportedMediaType', 'Send the activity uncompressed.'));
    return next(false);
  }
  if (req.getContentType() !== 'application/json') {
    res.send(415, errorBody('UnsupportedMediaType', 'Send the activity as application/json.'));
    return next(false);
  }
  next();
}

/** restify: `POST /api/messages` for the Bot Connector, `GET /healthz` and `GET /readyz` for the platform. */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'dsr-bot', handleUncaughtExceptions: false });

  server.post(
    '/api/messages',
    onlyPlainJson,
    restify.plugins.bodyReader({ maxBodySize: MAX_BODY_BYTES }),
    restify.plugins.jsonBodyParser({ mapParams: false }),
    async (req: restify.Request, res: restify.Response) => {
      const problem = activityProblem(req.body);
      if (problem) {
        res.send(400, errorBody('BadRequest', problem));
        return;
      }
      const foreign = originProblem(req.body, deps.teamsTenantId);
      if (foreign) {
        deps.log.warn({ refused: foreign }, 'activity from outside Teams or the tenant refused');
        res.send(403, errorBody('Forbidden', foreign));
        return;
      }
      await deps.foreground.answer(() => deps.adapter.process(req, res, async (context) => {
        if (namesNoCard(context)) {
          await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: buttonMessage(NO_CARD) });
          return;
        }
        await deps.app.run(context);
        if (context.activity.type === ActivityTypes.Invoke && !context.turnState.get(INVOKE_RESPONSE_KEY)) {
          await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: unansweredInvoke(context) });
        }
      }), req.body.type === ActivityTypes.Invoke ? 'invoke' : 'other');
    },
  );

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const signal = AbortSignal.timeout(3000);
    const entries = await Promise.all(
      Object.entries(deps.readinessChecks).map(async ([name, check]) => [name, await check(signal).catch(() => false)] as const),
    );
    const ready = entries.every(([, ok]) => ok);
    res.send(ready ? 200 : 503, { ready, checks: Object.fromEntries(entries) });
  });

  return server;
}
