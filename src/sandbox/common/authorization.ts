/**
 * Whether an `Authorization` header carries a credential of one of the
 * accepted schemes. The credential itself is never checked: the sandbox
 * verifies that callers send one, as Azure expects, not that it is valid.
 */
export function hasAcceptedAuthorization(header: string | undefined, schemes: readonly string[]): boolean {
  const match = /^(\S+)\s+\S/.exec(header ?? '');
  if (!match) return false;
  const scheme = match[1].toLowerCase();
  return schemes.some((accepted) => accepted.toLowerCase() === scheme);
}
