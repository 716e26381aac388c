import type { TokenCredential } from '@azure/core-auth';
import { AuthorizationManagementClient, getContinuationToken, type RoleAssignment } from '@azure/arm-authorization';
import type { AdapterCallContext } from '../../dsr';
import { ServiceCaller, isNotFound, type CallPolicy } from '../calls/callPolicy';
import { PageGuard } from '../calls/pageGuard';
import { sameOriginLink } from '../calls/restClient';

/** ARM's token audience, whatever endpoint the client talks to (the sandbox accepts any token). */
const ARM_SCOPE = 'https://management.azure.com/.default';

/** A role assignment as the adapter uses it: the SDK's, with the fields it needs made sure of. */
export interface FoundAssignment {
  id: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  condition?: string;
  conditionVersion?: string;
  createdOn?: Date;
  updatedOn?: Date;
}

/** What recreating an assignment takes. */
export interface AssignmentToCreate {
  principalId: string;
  roleDefinitionId: string;
  principalType: string;
  condition?: string;
  conditionVersion?: string;
}

/**
 * Microsoft.Authorization through `@azure/arm-authorization`, every HTTP call one `ServiceCaller`
 * call: the SDK's own retry policy is switched off (`maxRetries: 0`), so a 429 is retried once
 * over, by the call policy, which honours its Retry-After and spends the throttle budget.
 */
export class AuthorizationApi {
  private readonly client: AuthorizationManagementClient;
  private readonly caller: ServiceCaller;

  constructor(private readonly options: { endpoint: string; credential: TokenCredential; subscriptionId: string; policy?: Partial<CallPolicy> }) {
    this.client = new AuthorizationManagementClient(options.credential, options.subscriptionId, {
      endpoint: options.endpoint,
      credentialScopes: [ARM_SCOPE],
      retryOptions: { maxRetries: 0 },
    });
    this.caller = new ServiceCaller('roleAssignments', options.policy);
  }

  /**
   * A principal's assignments at, above and below `scope`, a page at a time. Each page is one
   * call, resumed from its `nextLink` when retried; a link to another host is not followed.
   */
  async *assignmentsOf(scope: string, principalId: string, context: AdapterCallContext): AsyncGenerator<FoundAssignment[]> {
    const guard = new PageGuard('roleAssignments', 'listing role assignments');
    const filter = `principalId eq '${principalId}'`;
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.caller.call('list role assignments', async (abortSignal) => {
        const pages = this.client.roleAssignments.listForScope(scope, { filter, abortSignal }).byPage(token ? { continuationToken: token } : {});
        const { value } = await pages.next();
        return value as RoleAssignment[] | undefined;
      }, context);
      yield (page ?? []).flatMap(found);
      const next = guard.follow(page ? getContinuationToken(page) : undefined);
      continuationToken = next === undefined ? undefined : sameOriginLink(this.options.endpoint, next);
    } while (continuationToken !== undefined);
  }

  /** The assignment with this id, or undefined when it does not exist (404). */
  async assignment(id: string, context: AdapterCallContext): Promise<FoundAssignment | undefined> {
    try {
      const assignment = await this.caller.call('read a role assignment', (abortSignal) => this.client.roleAssignments.getById(id, { abortSignal }), context);
      return found(assignment)[0];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes by id: true when deleted (200), false when already gone (204). */
  async delete(id: string, context: AdapterCallContext): Promise<boolean> {
    let status = 0;
    await this.caller.call('delete a role assignment', (abortSignal) =>
      this.client.roleAssignments.deleteById(id, { abortSignal, onResponse: (response) => { status = response.status; } }), context);
    return status === 200;
  }

  /** Creates the assignment under this id: true when created (201), false when it was already there (200). */
  async create(id: string, assignment: AssignmentToCreate, context: AdapterCallContext): Promise<boolean> {
    let status = 0;
    await this.caller.call('create a role assignment', (abortSignal) =>
      this.client.roleAssignments.createById(id, assignment, { abortSignal, onResponse: (response) => { status = response.status; } }), context);
    return status === 201;
  }

  /** The name of the role a role definition id names. */
  async roleName(roleDefinitionId: string, context: AdapterCallContext): Promise<string | undefined> {
    const definition = await this.caller.call('read a role definition', (abortSignal) => this.client.roleDefinitions.getById(roleDefinitionId, { abortSignal }), context);
    return definition.roleName;
  }
}

/** The assignment as a one-item list, or none when ARM left out a field the adapter relies on. */
function found(assignment: RoleAssignment): FoundAssignment[] {
  const { id, scope, roleDefinitionId, principalId } = assignment;
  if (!id || !scope || !roleDefinitionId || !principalId) return [];
  return [{
    id,
    scope,
    roleDefinitionId,
    principalId,
    principalType: assignment.principalType ?? 'User',
    ...(assignment.condition && { condition: assignment.condition, conditionVersion: assignment.conditionVersion ?? '2.0' }),
    ...(assignment.createdOn && { createdOn: assignment.createdOn }),
    ...(assignment.updatedOn && { updatedOn: assignment.updatedOn }),
  }];
}
