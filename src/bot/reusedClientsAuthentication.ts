import type { Activity } from 'botbuilder';
import {
  AuthenticateRequestResult,
  AuthenticationConstants,
  BotFrameworkAuthentication,
  BotFrameworkClient,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  UserTokenClient,
} from 'botframework-connector';

/** Clients kept at most: one per app id, service URL and audience, of which a tenant has a handful. */
const MAX_CLIENTS = 100;

/** What botframework-connector takes for the bot's app id: the token's audience (a channel's) or its `appid` claim (the Emulator's). */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim)
    ?? claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim)
    ?? '';
}

/** The client made for `key`, or a new one; a client that failed to be made is not kept. */
function reused<T>(clients: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const known = clients.get(key);
  if (known) return known;
  const made = make();
  clients.set(key, made);
  made.catch(() => clients.delete(key));
  if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  return made;
}

/** A connector factory whose clients are shared by every factory of the same app id. */
class ReusedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: Map<string, Promise<ConnectorClient>>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return reused(this.clients, JSON.stringify([this.appId, serviceUrl, audience]), () => this.inner.create(serviceUrl, audience));
  }
}

/**
 * The adapter's authentication, with its connector and user-token clients made once and reused.
 * botbuilder's CloudAdapter asks for new ones on every turn and proactive send, and each builds
 * its own HTTP pipeline: a few percent of the bot's CPU under load. A client holds no state of a
 * turn: its credentials fetch and refresh the bot's token themselves, as they would for a new one.
 */
export class ReusedClientsAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new ReusedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity), this.connectors);
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return reused(this.userTokenClients, appIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private reusing(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const { connectorFactory, claimsIdentity } = result;
    return connectorFactory ? { ...result, connectorFactory: new ReusedConnectorFactory(connectorFactory, appIdOf(claimsIdentity), this.connectors) } : result;
  }
}
