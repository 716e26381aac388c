import { ApproverDirectory, ApproverStanding } from '../ports';

/**
 * Fresh standings of `ids` (the actor and earlier approvers of an erasure), never cached: the
 * actor's membership as the bot read it may be a cached answer, so it is asked again here too.
 * `approvers` must be a directory that asks Entra on every call.
 */
export async function readStandings(approvers: ApproverDirectory, ids: readonly string[]): Promise<Map<string, ApproverStanding>> {
  const read = await Promise.all(ids.map(async (id): Promise<[string, ApproverStanding]> => {
    const [isApprover, personKey] = await Promise.all([approvers.isApprover(id), approvers.personKey(id)]);
    return [id, { isApprover, ...(personKey ? { personKey } : {}) }];
  }));
  return new Map(read);
}

/** Whether the actor approves: the fresh standing when one was read, else the caller's answer. */
export const actorStands = (standings: ReadonlyMap<string, ApproverStanding>, actorId: string, actorIsApprover: boolean): boolean =>
  standings.get(actorId)?.isApprover ?? actorIsApprover;
