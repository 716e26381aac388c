import type { JsonStateStore, Route, SandboxRequest } from '../common';
import { armError } from './armErrors';
import type { ArmState } from './armState';
import { roleDefinitionBody } from './resourceBodies';
import { SCOPE_PATTERNS } from './scopes';

/**
 * RoleDefinitions_Get at any scope level and at the tenant root (`/providers/...`, which is also
 * where RoleDefinitions_GetById lands for a tenant-level id). The seeded roles are built-in, so
 * every scope sees all of them.
 */
export function roleDefinitionRoutes(store: JsonStateStore<ArmState>): Route[] {
  return ['', ...SCOPE_PATTERNS].map((scopePattern) => ({
    method: 'GET',
    pattern: `${scopePattern}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}`,
    handler: ({ params }: SandboxRequest) => {
      const name = params.roleDefinitionId.toLowerCase();
      const definition = store.current.roleDefinitions.find((candidate) => candidate.name === name);
      if (!definition) throw armError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition does not exist.');
      return { status: 200, body: roleDefinitionBody(store.current, definition) };
    },
  }));
}
