import { createHash } from 'node:crypto';
import { DeltaRound, DiscoveryResult, DsrRequest, ItemOutcome, Plan, PlanItem, SERVICE_NAMES, ServiceName, StepOutcome } from './types';

const byTypeAndId = (a: PlanItem, b: PlanItem) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id);

/** The plan of a discovery: every service's items, in a stable order; services with none are left out. */
export function planOf(discovery: Partial<Record<ServiceName, DiscoveryResult>>): Plan {
  const plan: Plan = {};
  for (const service of SERVICE_NAMES) {
    const items = discovery[service]?.plan;
    if (items?.length) plan[service] = [...items].sort(byTypeAndId);
  }
  return plan;
}

/**
 * SHA-256 over the plan as canonical JSON (services in a fixed order, items by type and id, each
 * item's fields in a fixed order): the same items always give the same hash, whatever order an
 * adapter listed them in. Approvals bind to it.
 */
export function planHash(plan: Plan): string {
  const canonical = SERVICE_NAMES.filter((s) => plan[s]?.length).map((service) => [
    service,
    [...plan[service]!].sort(byTypeAndId).map((item) => [item.type, item.id, item.reason]),
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The first 8 hex digits, as cards show a hash. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}

/** How many items a plan holds in all. */
export function planSize(plan: Plan): number {
  return Object.values(plan).reduce((sum, items) => sum + (items?.length ?? 0), 0);
}

/** The delta round waiting for approvers, if any. */
export function pendingDelta(request: DsrRequest): DeltaRound | undefined {
  const last = request.deltas?.at(-1);
  return last && !last.outcome ? last : undefined;
}

/** What the last run found that the plan did not list, per service: the next delta round's plan. */
export function deltaOf(steps: DsrRequest['steps']): Plan {
  const delta: Plan = {};
  for (const service of SERVICE_NAMES) {
    const items = steps[service]?.delta;
    if (items?.length) delta[service] = [...items].sort(byTypeAndId);
  }
  return delta;
}

/** The plan with a delta's items added: what approvers have approved in all once they approve the delta. */
export function withDelta(plan: Plan, delta: Plan): Plan {
  const merged: Plan = { ...plan };
  for (const service of SERVICE_NAMES) {
    if (!delta[service]?.length) continue;
    const known = new Set((plan[service] ?? []).map((i) => `${i.type}\u0000${i.id}`));
    merged[service] = [...(plan[service] ?? []), ...delta[service]!.filter((i) => !known.has(`${i.type}\u0000${i.id}`))].sort(byTypeAndId);
  }
  return merged;
}

/** Results that did something win over `alreadyGone`: a rerun finds gone what the first run removed. */
const RESULT_WEIGHT: Record<ItemOutcome['result'], number> = { removed: 3, changed: 2, kept: 1, alreadyGone: 0 };

/**
 * One service's outcome over two runs (a run, then the rerun after a delta was approved): each
 * item's result is what the first run that acted on it did; the count is what was removed or changed.
 */
export function mergeStepOutcomes(before: StepOutcome | undefined, after: StepOutcome): StepOutcome {
  if (!before?.items || !after.items) return after;
  const items = new Map<string, ItemOutcome>();
  for (const item of [...before.items, ...after.items]) {
    const key = `${item.type}\u0000${item.id}`;
    const known = items.get(key);
    if (!known || RESULT_WEIGHT[item.result] > RESULT_WEIGHT[known.result]) items.set(key, item);
  }
  const merged = [...items.values()];
  return {
    ...after,
    items: merged,
    count: merged.filter((i) => i.result === 'removed' || i.result === 'changed').length,
    attempts: before.attempts + after.attempts,
  };
}

/** The plan approvers have approved so far: discovery's, with every approved delta round added. */
export function approvedPlan(request: DsrRequest): Plan {
  return (request.deltas ?? []).filter((r) => r.outcome === 'approved').reduce((plan, round) => withDelta(plan, round.plan), planOf(request.discovery));
}

/**
 * The request as a decided delta round leaves it: once approved, the services it names run
 * again (with the grown plan), their earlier outcomes kept aside to merge with the rerun's.
 */
export function afterDeltaDecision(request: DsrRequest): DsrRequest {
  const round = request.deltas?.at(-1);
  if (round?.outcome !== 'approved') return request;
  const rerun = Object.keys(round.plan) as ServiceName[];
  const steps = { ...request.steps };
  const stepsBefore: Partial<Record<ServiceName, StepOutcome>> = {};
  for (const service of rerun) {
    stepsBefore[service] = steps[service];
    delete steps[service];
  }
  return { ...request, steps, deltas: [...request.deltas!.slice(0, -1), { ...round, stepsBefore }] };
}

/** Whether the last run found items beyond the approved plan that no delta round holds yet. */
export function hasUnresolvedDelta(request: DsrRequest): boolean {
  const delta = deltaOf(request.steps);
  if (planSize(delta) === 0) return false;
  const hash = planHash(delta);
  return !(request.deltas ?? []).some((round) => round.planHash === hash);
}

/** A new delta round for what the last run left alone. */
export function newDeltaRound(request: DsrRequest, at: Date): DsrRequest {
  const plan = deltaOf(request.steps);
  return { ...request, deltas: [...(request.deltas ?? []), { plan, planHash: planHash(plan), foundAt: at.toISOString(), decisions: [] }] };
}
