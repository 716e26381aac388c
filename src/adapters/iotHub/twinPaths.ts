/** The value at a dotted path (`owner`, `people.owner`) inside a JSON object, or undefined. */
export function valueAtPath(document: unknown, path: string): unknown {
  let value = document;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * A twin patch fragment that removes each of the given dotted paths: IoT Hub deletes a key
 * patched to `null` and leaves its siblings alone (`people.owner` → `{ people: { owner: null } }`).
 */
export function removalPatch(paths: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const path of paths) {
    const segments = path.split('.');
    let node = patch;
    segments.slice(0, -1).forEach((segment) => {
      const child = node[segment];
      node[segment] = typeof child === 'object' && child !== null ? child : {};
      node = node[segment] as Record<string, unknown>;
    });
    node[segments[segments.length - 1]] = null;
  }
  return patch;
}

// Names that hold credentials: keys, thumbprints, secrets, passwords, connection strings, SAS tokens.
const CREDENTIAL_NAME = /(key|keys|thumbprint|thumbprints|secret|password|connectionstring|sastoken)$/i;

/**
 * A deep copy without credential material, for the export: the `authentication` block entirely,
 * and any field whose name ends like a credential's (`primaryKey`, `x509Thumbprint`, ...),
 * wherever it is (a customer may have put one in a tag or desired property).
 */
export function withoutCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentials);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (name === 'authentication' || CREDENTIAL_NAME.test(name)) continue;
    copy[name] = withoutCredentials(field);
  }
  return copy;
}
