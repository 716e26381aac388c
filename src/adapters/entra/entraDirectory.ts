import { Client } from '@microsoft/microsoft-graph-client';
import { PeopleDirectory, statusCodeOf, Subject } from '../../dsr';
import { GraphBatchReads } from '../calls/graphBatch';

interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  /** ISO 639-1 and ISO 3166 (`de-DE`), or null when unset: the person's language when Teams does not say it. */
  preferredLanguage?: string | null;
}

const SUBJECT_FIELDS = 'id,userPrincipalName,mail,displayName,preferredLanguage';

function toSubject(user: GraphUser): Subject {
  return {
    aadObjectId: user.id,
    upn: user.userPrincipalName,
    email: user.mail ?? user.userPrincipalName,
    displayName: user.displayName,
    ...(user.preferredLanguage ? { preferredLanguage: user.preferredLanguage } : {}),
  };
}

/**
 * Who people are and whether they may approve, asked of Entra ID through Graph. The reads by
 * object id (person, person key, membership) are batched with those of other requests in flight.
 */
export class EntraDirectory implements PeopleDirectory {
  private readonly reads: GraphBatchReads;

  constructor(
    private readonly graph: Client,
    private readonly approverGroupId: string,
    /** The user property that names the person behind an account (DSR_APPROVER_PERSON_KEY). */
    private readonly personKeyProperty = 'employeeId',
    /** How long a read waits to share a batch (DSR_COALESCE_WINDOW_MS). */
    coalesceWindowMs?: number,
  ) {
    this.reads = new GraphBatchReads(graph, { windowMs: coalesceWindowMs });
  }

  /** The person behind an authenticated activity, or undefined if Entra does not know them. */
  async person(aadObjectId: string): Promise<Subject | undefined> {
    try {
      return toSubject((await this.reads.get(`/users/${encodeURIComponent(aadObjectId)}?$select=${SUBJECT_FIELDS}`)) as GraphUser);
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * The person with this e-mail address or user principal name, for an approver filing on
   * someone's behalf. Undefined when nobody, or more than one person, has it.
   */
  async personByAddress(address: string): Promise<Subject | undefined> {
    const byName = await this.person(address);
    if (byName) return byName;
    // OData string literal: a quote is doubled, so the address stays one value; the Graph client
    // does not encode query values, so `&`, `#` or `%27` must not reach the URL as they are.
    const literal = `'${address.replace(/'/g, "''")}'`;
    const found = (await this.graph.api('/users').filter(encodeURIComponent(`mail eq ${literal}`)).select(SUBJECT_FIELDS).top(2).get()) as { value: GraphUser[] };
    return found.value.length === 1 ? toSubject(found.value[0]) : undefined;
  }

  /**
   * The account's person key (`GET /users/{id}?$select=id,<property>`), read on every call: the
   * same for a person's accounts, so their approvals count once. Undefined when unset or gone.
   */
  async personKey(aadObjectId: string): Promise<string | undefined> {
    try {
      const user = (await this.reads.get(`/users/${encodeURIComponent(aadObjectId)}?$select=id,${this.personKeyProperty}`)) as Record<string, unknown>;
      const value = user[this.personKeyProperty];
      return typeof value === 'string' && value.trim() ? value.trim() : undefined;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Membership of the approvers group (transitive), decided by Entra, never by card data. */
  isApprover(aadObjectId: string): Promise<boolean> {
    return this.isMemberOf(aadObjectId, this.approverGroupId);
  }

  /** Membership of `groupId` (transitive, `checkMemberGroups`); false for someone Entra does not know. */
  async isMemberOf(aadObjectId: string, groupId: string): Promise<boolean> {
    try {
      const answer = (await this.reads.post(`/users/${encodeURIComponent(aadObjectId)}/checkMemberGroups`, { groupIds: [groupId] })) as { value: string[] };
      return answer.value.includes(groupId);
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }
}
