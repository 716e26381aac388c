import type { Subject } from '../../dsr';

/** What the adapter reads of an enrollment to decide whose it is. */
export interface TaggedEnrollment {
  initialTwin?: { tags?: Record<string, unknown> };
}

/**
 * Whether the enrollment's owner tag (`initialTwin.tags.<ownerTag>`, where `ownerTag` may be a
 * dotted path into nested tags such as `people.owner`) names the subject: their Entra object
 * id, or their e-mail address compared case-insensitively (object ids are compared the same
 * way, as GUIDs are case-insensitive). Only exact equality counts: a crafted id or e-mail is
 * compared as a value, never interpreted, so it cannot match anyone else's enrollment.
 */
export function ownedBy(subject: Subject, ownerTag: string): (enrollment: TaggedEnrollment) => boolean {
  const names = new Set([subject.aadObjectId, subject.email].filter((value) => value !== '').map(lower));
  const path = ownerTag.split('.');
  return (enrollment) => {
    const value = path.reduce<unknown>((node, key) => ownProperty(node, key), enrollment.initialTwin?.tags);
    return typeof value === 'string' && names.has(lower(value));
  };
}

function ownProperty(node: unknown, key: string): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  return Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}

function lower(value: string): string {
  return value.toLowerCase();
}
