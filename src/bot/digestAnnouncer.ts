import { MessageFactory } from 'botbuilder';
import { AuditDigest, DigestAnnouncer } from '../storage/auditDigests';
import type { TeamsNotifier } from './teamsNotifier';

/** The compliance channel's line for a digest: its date and number, how many chains, the start of its root. Ids and counts only. */
export function digestText(digest: Pick<AuditDigest, 'sequence' | 'at' | 'heads' | 'root'>): string {
  const chains = digest.heads.length;
  return `Audit digest ${digest.at.slice(0, 10)} (no. ${digest.sequence}): ${chains} chain${chains === 1 ? '' : 's'}, root ${digest.root.slice(0, 16)}…`;
}

/**
 * Posts each audit digest to the registered compliance channel. A Teams post cannot be edited by
 * whoever gets write access to the bot's storage, so it is a second copy of the digest's root
 * outside the bot's reach (besides the container's immutability policy, which Azurite lacks).
 */
export class TeamsDigestAnnouncer implements DigestAnnouncer {
  constructor(private readonly notifier: Pick<TeamsNotifier, 'send'>) {}

  async announceDigest(digest: AuditDigest): Promise<void> {
    await this.notifier.send('channel:compliance', MessageFactory.text(digestText(digest)));
  }
}
