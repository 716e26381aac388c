/**
 * Values that reach a query of Azure Digital Twins or IoT Hub. Both take single-quoted string
 * literals with a backslash escaping a quote (`'D\'Souza'`); escaping the backslash too keeps a
 * value such as `x' OR 1=1 OR T.$dtId != '` one literal, so it can never widen a query.
 */
const MAX_LITERAL_LENGTH = 512;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const PROPERTY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A value as a quoted query literal; refuses what no identity or e-mail contains. */
export function quotedString(value: string): string {
  if (value.length > MAX_LITERAL_LENGTH) throw new QueryValueRefused(`a query value is longer than ${MAX_LITERAL_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(value)) throw new QueryValueRefused('a query value holds control characters');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A configured property path (`ownerId`, `externalIds.entra`, `tags.owner`), checked to be nothing else. */
export function propertyPath(path: string): string {
  if (!PROPERTY_PATH.test(path)) throw new QueryValueRefused(`'${path}' is not a property path of letters, digits and underscores separated by dots`);
  return path;
}

/** A value or path that cannot be put in a query safely. */
export class QueryValueRefused extends Error {
  override readonly name = 'QueryValueRefused';
}
