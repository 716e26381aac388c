import type { Subject } from '../../dsr';

/**
 * The addresses a person is known by in IoT Central, lower-cased: an app user's `email` is
 * what an administrator typed when adding them, the e-mail address or the sign-in name (UPN),
 * and IoT Central compares it without regard to case.
 */
export function subjectAddresses(subject: Subject): ReadonlySet<string> {
  return new Set([subject.email, subject.upn].filter((value) => typeof value === 'string' && value !== '').map((value) => value.toLowerCase()));
}

/** True when `value` is one of the subject's addresses: exact, case-insensitive, never a substring. */
export function isSubjectAddress(value: unknown, addresses: ReadonlySet<string>): boolean {
  return typeof value === 'string' && addresses.has(value.toLowerCase());
}

/**
 * The value at a dotted property path in a device's property values: `ownerEmail` at the root,
 * or `deviceInfo.ownerEmail` for a property of the `deviceInfo` component.
 */
export function valueAtPath(properties: Record<string, unknown>, path: string): unknown {
  let current: unknown = properties;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
