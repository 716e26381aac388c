import type { Manifest, ManifestFile } from './exportPackage';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The package's human-readable summary: what is inside and how to check it. */
export function renderPackageReadme(manifest: Manifest, services: { label: string; note?: string; files: ManifestFile[] }[]): string {
  const rows = services
    .map(
      (s) =>
        `<h2>${escapeHtml(s.label)}</h2>${s.note ? `<p>${escapeHtml(s.note)}</p>` : ''}<ul>${s.files
          .map((f) => `<li><code>${escapeHtml(f.path)}</code> (${f.bytes} bytes)</li>`)
          .join('')}</ul>`,
    )
    .join('\n');
  const head = manifest.auditHead;
  // The requester's copy of where the bot's audit record stood: an auditor can hold the record to it.
  const auditRecord = head
    ? `<p>When this package was made, the bot's audit record of your request held ${head.count} entries, the last with hash
<code>${escapeHtml(head.hash)}</code> (<code>auditHead</code> in <code>manifest.json</code>). Keep it: an auditor can check the record against it.</p>\n`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your data: ${escapeHtml(manifest.requestId)}</title></head>
<body>
<h1>Your data, request ${escapeHtml(manifest.requestId)}</h1>
<p>Prepared for ${escapeHtml(manifest.subject.displayName)} on ${escapeHtml(manifest.generatedAt)}.
Each folder holds what one service keeps about you, as JSON.</p>
${rows}
<p><code>manifest.json</code> lists every file with its SHA-256 hash, so you can check that nothing was changed
(for example <code>sha256sum entra/profile.json</code>).</p>
${auditRecord}</body></html>
`;
}
