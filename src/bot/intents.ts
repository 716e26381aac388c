import { RequestKind } from '../dsr';

export type Intent =
  | { type: 'help' }
  /** `forAddress`: an approver filing for someone else, named by e-mail or UPN. */
  | { type: 'request'; kind: RequestKind; forAddress?: string }
  | { type: 'details'; requestId: string }
  /** `requestId`: one request (`status DSR-2026-0042`); without it, the person's own list. */
  | { type: 'status'; requestId?: string }
  /** Approvers: the open requests, soonest due first. */
  | { type: 'queue' }
  | { type: 'cancel'; requestId?: string }
  | { type: 'register'; role: 'approvals' | 'compliance' }
  /** The compliance channel: counts from the DSR register, and a link to it. */
  | { type: 'report' }
  | { type: 'unknown' };

/** Longer messages are cut before matching: what people ask fits in a sentence. */
const MAX_INTENT_TEXT = 500;

const REQUEST_PATTERNS: [RequestKind, RegExp][] = [
  ['erase', /\b(delete|erase|remove|forget|forgotten|wipe|purge)\b|right to erasure/],
  ['restrict', /\b(restrict|stop (using|processing)|block|freeze)\b/],
  ['rectify', /\b(correct|rectify|fix|wrong|outdated|incorrect|update)\b/],
  ['export', /\b(export|copy|download|portab|take ?out|send me)/],
  ['access', /\b(access|see|view|what (data|information|do you (hold|have|keep|know)))\b|hold about me/],
];

/** What a chat message asks for, from plain words: "could I get a copy of everything you hold about me?" is an export. */
export function parseIntent(text: string): Intent {
  const said = text.slice(0, MAX_INTENT_TEXT).toLowerCase().replace(/\s+/g, ' ').trim();
  const register = /^register (approvals|compliance)\b/.exec(said);
  if (register) return { type: 'register', role: register[1] as 'approvals' | 'compliance' };
  if (/^((the|a|compliance|dsr) )?report[.!?]?$/.test(said)) return { type: 'report' };
  if (/\b(cancel|withdraw)\b/.test(said)) {
    const id = /\bdsr-\d{4}-\d{4,}\b/.exec(said)?.[0];
    return id ? { type: 'cancel', requestId: id.toUpperCase() } : { type: 'cancel' };
  }
  const details = /^(details|show)\s+(dsr-\d{4}-\d{4,})\b/.exec(said);
  if (details) return { type: 'details', requestId: details[2].toUpperCase() };
  if (/^(show )?(the |my )?((approval|review) )?queue[.!?]?$|^(all )?open requests[.!?]?$/.test(said)) return { type: 'queue' };
  if (/\b(status|my requests|progress|where is|how far)\b/.test(said)) {
    const id = /\bdsr-\d{4}-\d{4,}\b/.exec(said)?.[0];
    return id ? { type: 'status', requestId: id.toUpperCase() } : { type: 'status' };
  }
  const forAddress = /\b(?:for|of|about)\s+([^\s@<>"]+@[^\s@<>"]+\.[a-z0-9-]+)\b/.exec(said)?.[1];
  for (const [kind, pattern] of REQUEST_PATTERNS) if (pattern.test(said)) return forAddress ? { type: 'request', kind, forAddress } : { type: 'request', kind };
  if (/^(help|hi|hello|hey|start|menu|\?)\b|\bwhat can you do\b|^\?$/.test(said)) return { type: 'help' };
  return { type: 'unknown' };
}
