import type { Subject } from '../../dsr';
import { QueryValueRefused, quotedString } from '../queryLiteral';
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

/** IoT Hub's limit on the length of a query's text. */
export const MAX_QUERY_LENGTH = 8192;

/** One twin query and the owners (their indexes in the list asked for) whose spellings it holds. */
export interface OwnersQuery {
  owners: number[];
  text: string;
}

/**
 * `SELECT * FROM devices WHERE tags.<ownerTag> IN ['<spelling>', ...]` for many owners at once,
 * in as few queries as {@link MAX_QUERY_LENGTH} allows, an owner's spellings always in one query.
 * Every value is a quoted literal (src/adapters/queryLiteral.ts), so no value can widen a query.
 * An owner with a value that cannot be quoted (control characters, over 512 characters) is in no
 * query: its index is in `refused`, and the others are queried as usual.
 */
export function ownersQueries(ownerTagPath: string, spellings: readonly (readonly string[])[]): { queries: OwnersQuery[]; refused: number[] } {
  const head = `SELECT * FROM devices WHERE tags.${ownerTagPath} IN [`;
  const queries: OwnersQuery[] = [];
  const refused: number[] = [];
  let current: { owners: number[]; literals: Set<string>; length: number } | undefined;
  const close = () => {
    if (current) queries.push({ owners: current.owners, text: `${head}${[...current.literals].join(', ')}]` });
    current = undefined;
  };
  spellings.forEach((values, owner) => {
    let literals: string[];
    try {
      literals = values.map(quotedString);
    } catch (error) {
      if (!(error instanceof QueryValueRefused)) throw error;
      refused.push(owner);
      return;
    }
    const added = literals.filter((literal) => !current?.literals.has(literal)).reduce((sum, literal) => sum + literal.length + 2, 0);
    if (current && current.length + added > MAX_QUERY_LENGTH) close();
    current ??= { owners: [], literals: new Set(), length: head.length + 1 };
    current.owners.push(owner);
    for (const literal of literals) {
      if (!current.literals.has(literal)) current.length += literal.length + 2;
      current.literals.add(literal);
    }
  });
  close();
  return { queries, refused };
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
