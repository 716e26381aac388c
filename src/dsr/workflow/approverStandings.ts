import { ApproverDirectory, ApproverStanding } from '../ports';
import { Actor } from '../model/types';

/**
 * Fresh standings of `ids` (an actor and earlier approvers), never cached: the actor's group
 * membership was just checked by the caller, the others' are checked again now.
 */
export async function readStandings(approvers: ApproverDirectory, ids: readonly string[], actor: Actor, actorIsApprover: boolean): Promise<Map<string, ApproverStanding>> {
  const read = await Promise.all(ids.map(async (id): Promise<[string, ApproverStanding]> => {
    const [isApprover, personKey] = await Promise.all([id === actor.aadObjectId ? actorIsApprover : approvers.isApprover(id), approvers.personKey(id)]);
    return [id, { isApprover, ...(personKey ? { personKey } : {}) }];
  }));
  return new Map(read);
}
