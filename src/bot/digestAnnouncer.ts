import { MessageFactory } from 'botbuilder';
import { Words } from '../i18n';
import { AuditDigest, DigestAnnouncer } from '../storage/auditDigests';
import type { TeamsNotifier } from './teamsNotifier';
import { wordsForChannel, WordsSettings } from './turnWords';

/** The compliance channel's line for a digest: its date and number, how many chains, the start of its root. Ids and counts only. */
export function digestText(words: Words, digest: Pick<AuditDigest, 'sequence' | 'at' | 'heads' | 'root'>): string {
  // The digest's day stays ISO: it is part of the digest's name, as its blob is named.
  return words.t('notices.digest.posted', { day: digest.at.slice(0, 10), sequence: digest.sequence, chains: digest.heads.length, root: digest.root.slice(0, 16) });
}

/**
 * Posts each audit digest to the registered compliance channel. A Teams post cannot be edited by
 * whoever gets write access to the bot's storage, so it is a second copy of the digest's root
 * outside the bot's reach (besides the container's immutability policy, which Azurite lacks).
 */
export class TeamsDigestAnnouncer implements DigestAnnouncer {
  constructor(
    private readonly notifier: Pick<TeamsNotifier, 'send'>,
    private readonly settings: WordsSettings,
  ) {}

  async announceDigest(digest: AuditDigest): Promise<void> {
    await this.notifier.send('channel:compliance', MessageFactory.text(digestText(wordsForChannel(this.settings), digest)));
  }
}
