import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { requiringApiVersion } from './apiVersion';
import { formatArmError } from './armErrors';
import { seedArmState, type ArmState } from './armState';
import { DEFAULT_READS_PER_HOUR, ReadBudget } from './readBudget';
import { roleAssignmentRoutes } from './roleAssignmentRoutes';
import { roleDefinitionRoutes } from './roleDefinitionRoutes';

/** Default port of the Azure Resource Manager sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const ARM_SANDBOX_DEFAULT_PORT = 4060;

/** Where the ARM sandbox keeps its state and where it listens (port 4060 unless told). */
export interface ArmSandboxOptions extends SandboxPlacement {
  /** Seeds the state when `<dataDir>/sandbox/arm.json` does not exist yet. */
  tenant: Tenant;
  /** Seeds with this state instead of the tenant's `azure` section. */
  seed?: ArmState;
  /** Reads each principal may make per hour before 429s; default ARM's 12,000. Small in tests. */
  readsPerHour?: number;
  /** Milliseconds since the epoch, for the read budget and `createdOn`; default `Date.now` (tests move it by hand). */
  now?: () => number;
}

/** A running ARM sandbox. */
export interface ArmSandbox extends HttpsSandboxServer {}

/**
 * Starts the sandbox Azure Resource Manager over HTTPS: Microsoft.Authorization 2022-04-01 role
 * assignments (list with `$filter`, get, create, delete, by scope and name or by id) and role
 * definitions (get), for the subscription of tenant.json, behind a bearer token and ARM's
 * per-principal read throttling.
 */
export async function createArmSandbox(options: ArmSandboxOptions): Promise<ArmSandbox> {
  const now = options.now ?? Date.now;
  const budget = new ReadBudget(options.readsPerHour ?? DEFAULT_READS_PER_HOUR, now);
  const { sandbox } = await startStatefulSandbox<ArmState>(options, {
    name: 'arm',
    defaultPort: ARM_SANDBOX_DEFAULT_PORT,
    seed: () => options.seed ? structuredClone(options.seed) : seedArmState(options.tenant),
    define: (store) => ({
      authorizationSchemes: ['Bearer'],
      formatError: formatArmError,
      routes: budget.metering(requiringApiVersion([...roleAssignmentRoutes(store, now), ...roleDefinitionRoutes(store)])),
    }),
  });
  return sandbox;
}
