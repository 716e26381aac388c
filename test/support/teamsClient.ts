import { TenantUser } from '../../src/sandbox/tenant';

export interface InvokeAnswer {
  status: number;
  body: { statusCode?: number; type?: string; value?: unknown };
}

let sequence = 0;

/**
 * Sends activities to the bot the way Teams does: messages in a 1:1 chat or a channel, and
 * Adaptive Card Universal Actions as `adaptiveCard/action` invokes, each naming the connector
 * the bot must answer through.
 */
export class TeamsClient {
  constructor(
    private readonly botUrl: string,
    private readonly connectorUrl: string,
    private readonly tenantId: string,
  ) {}

  /** The 1:1 chat between `user` and the bot. */
  personalConversationId(user: TenantUser): string {
    return `a:1on1-${user.teamsUserId}`;
  }

  /** The Teams client language of each user by Teams user id (`activity.locale`); anyone else sends en-US. */
  readonly locales = new Map<string, string>();

  /** From now on `user`'s Teams client reports `locale` (`de-DE`) on every activity, as Teams does for the language a person set. */
  speaks(user: TenantUser, locale: string): void {
    this.locales.set(user.teamsUserId, locale);
  }

  readonly channelId = '19:dsr-approvals@thread.tacv2';
  readonly complianceChannelId = '19:dsr-compliance@thread.tacv2';
  /** The id of the activity this client sent last: the bot's reply to it names it as `replyToId`. */
  lastActivityId = '';

  async say(user: TenantUser, text: string): Promise<number> {
    return (await this.post({ type: 'message', text, ...this.personal(user) })).status;
  }

  /** A message in a channel that @mentions the bot, as Teams sends it. */
  async sayInChannel(user: TenantUser, channelId: string, text: string): Promise<number> {
    return (
      await this.post({
        type: 'message',
        text: `<at>DSR Bot</at> ${text}`,
        entities: [{ type: 'mention', text: '<at>DSR Bot</at>', mentioned: { id: '28:dsr-bot', name: 'DSR Bot' } }],
        from: this.from(user),
        conversation: { id: `${channelId};messageid=${++sequence}`, conversationType: 'channel', isGroup: true, tenantId: this.tenantId },
        channelData: { tenant: { id: this.tenantId }, team: { id: '19:privacy-office@thread.tacv2' }, channel: { id: channelId } },
      })
    ).status;
  }

  /** Clicks an Action.Execute button: `cardActivityId` is the card it sits on. */
  async click(user: TenantUser, where: 'personal' | string, verb: string, data: Record<string, unknown>, cardActivityId = 'card'): Promise<InvokeAnswer> {
    const conversation =
      where === 'personal'
        ? this.personal(user)
        : {
            from: this.from(user),
            conversation: { id: where, conversationType: 'channel', isGroup: true, tenantId: this.tenantId },
            channelData: { tenant: { id: this.tenantId }, channel: { id: where } },
          };
    const response = await this.post({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: cardActivityId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      ...conversation,
    });
    return { status: response.status, body: response.status === 200 ? ((await response.json()) as InvokeAnswer['body']) : {} };
  }

  /** Sends any activity body as is (for malformed input). */
  async postRaw(body: string, contentType = 'application/json'): Promise<Response> {
    return fetch(`${this.botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
  }

  private personal(user: TenantUser) {
    return {
      from: this.from(user),
      conversation: { id: this.personalConversationId(user), conversationType: 'personal', tenantId: this.tenantId },
      channelData: { tenant: { id: this.tenantId } },
    };
  }

  private from(user: TenantUser) {
    return { id: user.teamsUserId, name: user.displayName, aadObjectId: user.aadObjectId };
  }

  private post(activity: Record<string, unknown> & { from: { id: string } }): Promise<Response> {
    this.lastActivityId = `incoming-${++sequence}`;
    const body = {
      id: this.lastActivityId,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.connectorUrl,
      recipient: { id: '28:dsr-bot', name: 'DSR Bot' },
      locale: this.locales.get((activity.from as { id?: string } | undefined)?.id ?? '') ?? 'en-US',
      ...activity,
    };
    return fetch(`${this.botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
}
