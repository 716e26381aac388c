import type { ItemOutcome, ItemResult, PlanItem } from '../dsr';

/** What adapters share to carry out a plan: outcomes per planned item, and the delta beside them. */

/** The outcome of `result` for one planned item. */
export function outcomeOf(item: PlanItem, result: ItemResult): ItemOutcome {
  return { type: item.type, id: item.id, result };
}

/** The items found now that the plan does not list (same type and id): the delta, left alone. */
export function unplanned(found: readonly PlanItem[], plan: readonly PlanItem[]): PlanItem[] {
  const planned = new Set(plan.map(planKey));
  return found.filter((item) => !planned.has(planKey(item)));
}

/** The ids of the planned items of one type. */
export function plannedIds(plan: readonly PlanItem[], type: string): ReadonlySet<string> {
  return new Set(plan.filter((item) => item.type === type).map((item) => item.id));
}

/** How many items a change removed or changed: a step's `count` when it carried out a plan. */
export function changedCount(items: readonly ItemOutcome[]): number {
  return items.filter((item) => item.result === 'removed' || item.result === 'changed').length;
}

function planKey(item: PlanItem): string {
  return `${item.type}/${item.id}`;
}
