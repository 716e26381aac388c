import type { Subject } from '../../dsr';
import { quotedString } from '../queryLiteral';
import { valueAtPath } from './twinPaths';

/**
 * The spellings of the subject's identifiers a device's owner tag is looked up by.
 *
 * IoT Hub compares strings case-sensitively, and its twin queries have no LOWER() (in twin
 * queries the only function is IS_DEFINED), so an owner tag cannot be matched ignoring case on the
 * server. The query therefore asks for the spellings people and provisioning tools write: the
 * object id as given, lower- and upper-case; the e-mail address and UPN as Entra has them, all
 * lower-case, and with capitalised name parts (`Alex.Wilber@contoso.test`). Every twin returned is
 * checked again here, case-insensitively. A tag in any other casing (`ALEX.wilber@...`) is not
 * found: tag devices with the object id, or with lower-case addresses.
 */
export function ownerTagSpellings(subject: Subject): string[] {
  const spellings = new Set<string>();
  const id = subject.aadObjectId.trim();
  for (const value of [id, id.toLowerCase(), id.toUpperCase()]) spellings.add(value);
  for (const address of [subject.email, subject.upn]) {
    const trimmed = address?.trim();
    if (!trimmed) continue;
    spellings.add(trimmed);
    spellings.add(trimmed.toLowerCase());
    spellings.add(capitalisedNameParts(trimmed));
  }
  return [...spellings].filter((value) => value !== '');
}

/**
 * `SELECT * FROM devices WHERE tags.<ownerTag> = '<spelling>' OR ...`, every value a quoted literal
 * (src/adapters/queryLiteral.ts), so no value can widen the query.
 * @throws QueryValueRefused for a value with control characters or over 512 characters.
 */
export function ownerQuery(ownerTagPath: string, spellings: readonly string[]): string {
  const comparisons = spellings.map((value) => `tags.${ownerTagPath} = ${quotedString(value)}`);
  return `SELECT * FROM devices WHERE ${comparisons.join(' OR ')}`;
}

/** Whether the twin's owner tag names the subject (object id, e-mail or UPN, ignoring case). */
export function ownerTagNamesSubject(tags: Record<string, unknown> | undefined, ownerTagPath: string, subject: Subject): boolean {
  const value = valueAtPath(tags, ownerTagPath);
  if (typeof value !== 'string') return false;
  const owner = value.trim().toLowerCase();
  return [subject.aadObjectId, subject.email, subject.upn]
    .some((identifier) => typeof identifier === 'string' && identifier.trim() !== '' && identifier.trim().toLowerCase() === owner);
}

function capitalisedNameParts(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const local = address.slice(0, at).toLowerCase().replace(/(^|[._-])([a-z])/g, (_, separator: string, letter: string) => separator + letter.toUpperCase());
  return `${local}@${address.slice(at + 1).toLowerCase()}`;
}
