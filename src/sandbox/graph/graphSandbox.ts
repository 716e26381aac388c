import {
  JsonStateStore, ensureSandboxCertificate, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../common';
import type { Tenant } from '../tenant';
import { deletedItemRoutes } from './deletedItemRoutes';
import { formatGraphError } from './graphErrors';
import { seedGraphState, type GraphState } from './graphState';
import { membershipRoutes } from './membershipRoutes';
import { userRoutes } from './userRoutes';

/** Default port of the Graph sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const GRAPH_SANDBOX_DEFAULT_PORT = 4010;

/** Where the Graph sandbox keeps its state and where it listens. */
export interface GraphSandboxOptions {
  /** Seeds the state when `<dataDir>/sandbox/graph.json` does not exist yet. */
  tenant: Tenant;
  dataDir: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 4010; 0 picks a free port. */
  port?: number;
}

/** A running Graph sandbox. */
export interface GraphSandbox extends RunningSandboxServer {
  /**
   * The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`),
   * for clients that cannot be started with `NODE_EXTRA_CA_CERTS`.
   */
  readonly certificate: string;
}

/**
 * Starts the sandbox Microsoft Graph (v1.0 users, deleted items, group
 * membership) over HTTPS. HTTPS because the Graph JS client attaches the
 * bearer token only to `https://` URLs and cannot follow an `http://` nextLink.
 */
export async function createGraphSandbox(options: GraphSandboxOptions): Promise<GraphSandbox> {
  const store = await JsonStateStore.open<GraphState>(
    sandboxStatePath(options.dataDir, 'graph'),
    () => seedGraphState(options.tenant),
  );
  const tls = ensureSandboxCertificate(options.dataDir);
  const server = await startSandboxServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? GRAPH_SANDBOX_DEFAULT_PORT,
    tls,
    authorizationSchemes: ['Bearer'],
    formatError: formatGraphError,
    routes: [...userRoutes(store), ...membershipRoutes(store), ...deletedItemRoutes(store)],
  });
  return { ...server, certificate: tls.cert };
}
