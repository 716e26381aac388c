import type { TenantUser } from '../tenant';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The sign-in page: one button per seeded person. It stands in for Microsoft's own page, so
 * its few words are the sandbox's, in English, for developers; the product's words are in the catalog.
 */
export function loginPage(action: string, fields: Record<string, string>, users: readonly TenantUser[]): string {
  const hidden = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join('\n      ');
  const buttons = users
    .map((u) => `<li><button type="submit" name="upn" value="${escape(u.upn)}" data-upn="${escape(u.upn)}">${escape(u.displayName)}</button> <small>${escape(u.upn)}</small></li>`)
    .join('\n        ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Sandbox sign-in</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
  <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto">
    <h1>Sandbox sign-in</h1>
    <p>A local stand-in for Microsoft Entra ID, for developers. Pick who to sign in as.</p>
    <form method="post" action="${escape(action)}">
      ${hidden}
      <ul style="list-style: none; padding: 0; line-height: 2.2">
        ${buttons}
      </ul>
    </form>
  </body>
</html>
`;
}
