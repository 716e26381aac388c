import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { batchRoutes } from './batchRoutes';
import { dataPolicyRoutes, DEFAULT_EXPORT_DELAY_MS } from './dataPolicyRoutes';
import { deletedItemRoutes } from './deletedItemRoutes';
import { formatGraphError } from './graphErrors';
import { seedGraphState, type GraphState } from './graphState';
import { groupMemberRoutes } from './groupMemberRoutes';
import { membershipRoutes } from './membershipRoutes';
import { sessionRoutes } from './sessionRoutes';
import { userRecordRoutes } from './userRecordRoutes';
import { userRoutes } from './userRoutes';

/** Default port of the Graph sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const GRAPH_SANDBOX_DEFAULT_PORT = 4010;

/** Where the Graph sandbox keeps its state and where it listens (port 4010 unless told). */
export interface GraphSandboxOptions extends SandboxPlacement {
  /** Seeds the state when `<dataDir>/sandbox/graph.json` does not exist yet. */
  tenant: Tenant;
  /** How long an export of system-generated logs takes; default `SANDBOX_GRAPH_EXPORT_DELAY_MS`, else a few seconds. */
  exportDelayMs?: number;
}

/** A running Graph sandbox. */
export interface GraphSandbox extends HttpsSandboxServer {}

/**
 * Starts the sandbox Microsoft Graph (v1.0 users, deleted items, group
 * membership, the rest of a user's Entra record, JSON batching) over HTTPS. HTTPS because the Graph JS client attaches the
 * bearer token only to `https://` URLs and cannot follow an `http://` nextLink.
 */
export async function createGraphSandbox(options: GraphSandboxOptions): Promise<GraphSandbox> {
  const { sandbox } = await startStatefulSandbox<GraphState>(options, {
    name: 'graph',
    defaultPort: GRAPH_SANDBOX_DEFAULT_PORT,
    seed: () => seedGraphState(options.tenant),
    define: (store) => ({
      authorizationSchemes: ['Bearer'],
      formatError: formatGraphError,
      routes: [...batchRoutes(), ...userRoutes(store), ...membershipRoutes(store), ...groupMemberRoutes(store), ...deletedItemRoutes(store), ...sessionRoutes(store),
        ...dataPolicyRoutes(store, exportDelayMs(options)), ...userRecordRoutes(store)],
    }),
  });
  return sandbox;
}

function exportDelayMs(options: GraphSandboxOptions): number {
  const fromEnv = Number(process.env.SANDBOX_GRAPH_EXPORT_DELAY_MS);
  return options.exportDelayMs ?? (Number.isFinite(fromEnv) && fromEnv >= 0 && process.env.SANDBOX_GRAPH_EXPORT_DELAY_MS ? fromEnv : DEFAULT_EXPORT_DELAY_MS);
}
