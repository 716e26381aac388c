import type { TokenCredential } from '@azure/core-auth';
import type { AdapterCallContext, DiscoveryResult, ExportFile, ItemOutcome, ItemResult, PlanItem, ServiceAdapter, StepReport, Subject } from '../../dsr';
import type { CallPolicy } from '../calls/callPolicy';
import { changedCount, outcomeOf, unplanned } from '../planItems';
import { AuthorizationApi, type FoundAssignment } from './authorizationApi';
import { aboveScopesStep, isAboveScopes, removesAssignments } from './aboveScopes';
import { isAtOrBelow, scopeKind } from '../../azureFacts/armScopes';

/** How the bot reaches Azure Resource Manager and which assignments are its to touch. */
export interface RoleAssignmentsAdapterOptions {
  /** `https://management.azure.com`, or the sandbox's URL. */
  endpoint: string;
  /** The bot's identity, holding "Role Based Access Control Administrator" at `scopes` (see SECURITY.md). */
  credential: TokenCredential;
  subscriptionId: string;
  /** Resource ids: the Digital Twins instance, IoT Hub, DPS, IoT Central app; optionally a resource group or the subscription. */
  scopes: readonly string[];
  /** The bot's own object id: its assignments are never planned, exported or deleted. */
  botPrincipalId: string;
  policy?: Partial<CallPolicy>;
}

const ITEM_TYPE = 'roleAssignment';

/** The subject's assignments: those the bot may change, and those inherited from above its scopes. */
interface SubjectAssignments {
  within: FoundAssignment[];
  above: FoundAssignment[];
}

/**
 * Azure RBAC role assignments whose principal is the subject, at the configured scopes, through
 * `@azure/arm-authorization`. A list at a scope filtered by principal also returns what lies
 * above it (an inherited subscription role): only assignments at or below a configured scope are
 * the bot's to touch (above them it holds no right), so only those are planned. Those above are
 * still the subject's data: exported, marked `inheritedFromAbove`, and for erase and restrict
 * listed as a manual step. Erasure and restriction delete the planned ones by id; restriction
 * records what lifting it needs to create each again.
 */
export class RoleAssignmentsAdapter implements ServiceAdapter {
  readonly service = 'roleAssignments' as const;
  private readonly api: AuthorizationApi;

  constructor(private readonly options: RoleAssignmentsAdapterOptions) {
    this.api = new AuthorizationApi(options);
  }

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const { within, above } = await this.subjectAssignments(subject, context);
    const roleName = this.roleNames(context);
    // Role names are read only when the step needs them: an export resolves them in its file.
    const named = removesAssignments(context.kind)
      ? await Promise.all(above.map(async ({ scope, roleDefinitionId }) => ({ scope, roleName: (await roleName(roleDefinitionId)) ?? roleDefinitionId })))
      : [];
    const manualSteps = aboveScopesStep(named, context.kind);
    const count = within.length + above.length;
    return {
      count,
      plan: within.map(planItem),
      items: count === 0 ? [] : [
        { code: 'roleAssignments.found', count },
        ...(above.length > 0 ? [{ code: 'roleAssignments.above', count: above.length, manual: manualSteps.length > 0 } as const] : []),
      ],
      ...(manualSteps.length > 0 && { manualSteps }),
    };
  }

  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const { within, above } = await this.subjectAssignments(subject, context);
    if (within.length + above.length === 0) return;
    const roleName = this.roleNames(context);
    const inherited = new Set(above);
    const content: Record<string, string | boolean | null>[] = [];
    for (const assignment of [...within, ...above]) {
      content.push({
        id: assignment.id,
        scope: assignment.scope,
        roleDefinitionId: assignment.roleDefinitionId,
        roleName: (await roleName(assignment.roleDefinitionId)) ?? null,
        principalType: assignment.principalType,
        createdOn: assignment.createdOn?.toISOString() ?? null,
        updatedOn: assignment.updatedOn?.toISOString() ?? null,
        condition: assignment.condition ?? null,
        // Held above the bot's scopes: the bot did not and cannot remove it.
        inheritedFromAbove: inherited.has(assignment),
      });
    }
    yield { path: 'assignments.json', content };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    return this.removeAll(subject, context, false);
  }

  /** Deletes too (an assignment cannot be suspended), recording in `putBack` what creating it again needs. */
  async restrict(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    return this.removeAll(subject, context, true);
  }

  /**
   * Creates each removed assignment again under its own id, from what restrict recorded. One
   * already there again counts as `kept`; an item without `putBack`, or not the subject's to
   * have back (the bot's own, outside the scopes), is left alone.
   */
  async liftRestriction(subject: Subject, restricted: readonly ItemOutcome[], context: AdapterCallContext): Promise<StepReport> {
    const items: ItemOutcome[] = [];
    for (const item of restricted) {
      const putBack = item.putBack;
      // The id must lie at the recorded scope: a forged putBack cannot move the assignment elsewhere.
      if (item.type !== ITEM_TYPE || !putBack?.roleDefinitionId || !putBack.scope || !isAtOrBelow(item.id, putBack.scope) || !this.mayTouch(subject.aadObjectId, putBack.scope)) {
        items.push({ type: item.type, id: item.id, result: 'kept' });
        continue;
      }
      const created = await this.api.create(item.id, {
        principalId: subject.aadObjectId,
        roleDefinitionId: putBack.roleDefinitionId,
        principalType: putBack.principalType ?? 'User',
        ...(putBack.condition && { condition: putBack.condition, conditionVersion: putBack.conditionVersion ?? '2.0' }),
      }, context);
      items.push({ type: item.type, id: item.id, result: created ? 'changed' : 'kept' });
    }
    const count = changedCount(items);
    return { summary: { code: 'roleAssignments.putBack', assignments: count }, count, items };
  }

  /**
   * Deletes the planned assignments (or, with no plan, every one found now). Each planned id is
   * read first: gone is `alreadyGone`; one whose principal is not the subject, or is the bot
   * itself, or that lies outside the configured scopes is `kept`, whatever the plan says.
   */
  private async removeAll(subject: Subject, context: AdapterCallContext, recordPutBack: boolean): Promise<StepReport> {
    const plan = context.plan ?? (await this.subjectAssignments(subject, context)).within.map(planItem);
    const items: ItemOutcome[] = [];
    for (const item of plan.filter((planned) => planned.type === ITEM_TYPE)) {
      const assignment = await this.api.assignment(item.id, context);
      if (!assignment) {
        items.push(outcomeOf(item, 'alreadyGone'));
        continue;
      }
      if (!sameId(assignment.principalId, subject.aadObjectId) || !this.mayTouch(assignment.principalId, assignment.scope)) {
        items.push(outcomeOf(item, 'kept'));
        continue;
      }
      const result: ItemResult = (await this.api.delete(assignment.id, context)) ? 'removed' : 'alreadyGone';
      items.push({ ...outcomeOf(item, result), ...(recordPutBack && result === 'removed' && { putBack: putBackOf(assignment) }) });
    }
    const delta = context.plan ? unplanned((await this.subjectAssignments(subject, context)).within.map(planItem), context.plan) : undefined;
    const count = changedCount(items);
    return { summary: { code: 'roleAssignments.deleted', assignments: count }, count, items, ...(delta && { delta }) };
  }

  /** The subject's assignments, each once, never the bot's: at or below the configured scopes, and above them. */
  private async subjectAssignments(subject: Subject, context: AdapterCallContext): Promise<SubjectAssignments> {
    if (sameId(subject.aadObjectId, this.options.botPrincipalId)) return { within: [], above: [] };
    const within = new Map<string, FoundAssignment>();
    const above = new Map<string, FoundAssignment>();
    for (const scope of outermost(this.options.scopes)) {
      for await (const page of this.api.assignmentsOf(scope, subject.aadObjectId, context)) {
        for (const assignment of page) {
          if (!sameId(assignment.principalId, subject.aadObjectId)) continue;
          if (this.mayTouch(assignment.principalId, assignment.scope)) within.set(assignment.id.toLowerCase(), assignment);
          else if (isAboveScopes(assignment.scope, this.options.scopes)) above.set(assignment.id.toLowerCase(), assignment);
        }
      }
    }
    return { within: [...within.values()], above: [...above.values()] };
  }

  /** Resolves role names with one read per role, not per assignment: a person usually holds the same few roles in many places. */
  private roleNames(context: AdapterCallContext): (roleDefinitionId: string) => Promise<string | undefined> {
    const names = new Map<string, Promise<string | undefined>>();
    return (id) => {
      const key = id.toLowerCase();
      if (!names.has(key)) names.set(key, this.api.roleName(id, context));
      return names.get(key)!;
    };
  }

  /** Whether an assignment of this principal at this scope is the bot's to change: never its own, never outside its scopes. */
  private mayTouch(principalId: string, scope: string): boolean {
    return !sameId(principalId, this.options.botPrincipalId) && this.options.scopes.some((configured) => isAtOrBelow(scope, configured));
  }
}

/**
 * The scopes not lying under another one: a list filtered by principal already returns what lies
 * below its scope, so listing a resource again under a listed resource group only spends reads.
 */
function outermost(scopes: readonly string[]): string[] {
  const unique = [...new Map(scopes.map((scope) => [scope.toLowerCase(), scope])).values()];
  return unique.filter((scope) => !unique.some((other) => other !== scope && isAtOrBelow(scope, other)));
}

function planItem(assignment: FoundAssignment): PlanItem {
  return { type: ITEM_TYPE, id: assignment.id, reason: `scope:${scopeKind(assignment.scope)}` };
}

/** Ids only: what creating the assignment again needs (its condition too, so it never comes back wider). */
function putBackOf(assignment: FoundAssignment): Record<string, string> {
  return {
    roleDefinitionId: assignment.roleDefinitionId,
    principalType: assignment.principalType,
    scope: assignment.scope,
    ...(assignment.condition && { condition: assignment.condition, conditionVersion: assignment.conditionVersion ?? '2.0' }),
  };
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
