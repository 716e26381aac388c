import type { ItemOutcome, PlanItem } from '../dsr/types';

/**
 * The tail of a step summary bound to a plan, counts only: ` (2 already gone, 1 kept); 1 device
 * not in the plan left alone`, each part only when there is something to count.
 */
export function planNotes(items: readonly ItemOutcome[], delta: readonly PlanItem[], word: { one: string; many: string }): string {
  const gone = items.filter((item) => item.result === 'alreadyGone').length;
  const kept = items.filter((item) => item.result === 'kept').length;
  const notes = [gone > 0 ? `${gone} already gone` : '', kept > 0 ? `${kept} kept` : ''].filter((note) => note !== '');
  const left = delta.length > 0 ? `; ${delta.length} ${delta.length === 1 ? word.one : word.many} not in the plan left alone` : '';
  return `${notes.length > 0 ? ` (${notes.join(', ')})` : ''}${left}`;
}
