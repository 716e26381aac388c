import { PACKAGE_FOLDERS, ServiceName } from '../dsr';
import type { MessageKey, MessageValues, Words } from '../i18n';
import type { Manifest, ManifestFile } from './exportPackage';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A piece of HTML put into a message as it is (a file name in `<code>`), not escaped again. */
class Markup {
  constructor(readonly html: string) {}
}
const code = (text: string) => new Markup(`<code>${escapeHtml(text)}</code>`);

/**
 * A catalog message as HTML: its text escaped, markup values put in where their placeholders
 * stand. Markup goes in as private-use tokens so the message, not the code, decides word order.
 */
function html(words: Words, key: MessageKey, values: Record<string, MessageValues[string] | Markup> = {}): string {
  const markup: string[] = [];
  const plain: MessageValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (value instanceof Markup) {
      plain[name] = `\uE000${markup.length}\uE001`;
      markup.push(value.html);
    } else plain[name] = value;
  }
  return escapeHtml(words.t(key, plain)).replace(/\uE000(\d+)\uE001/g, (_, i: string) => markup[Number(i)]);
}

/** The service whose folder this is, if any. */
const serviceOf = (folder: string) => (Object.keys(PACKAGE_FOLDERS) as ServiceName[]).find((s) => PACKAGE_FOLDERS[s] === folder);

/** What a file holds, where its name alone does not say it. */
const FILE_NOTES: Record<string, MessageKey> = {
  'entra/profile.json': 'package.file.entraProfile',
  'entra/memberships.json': 'package.file.entraMemberships',
  'entra/manager-and-reports.json': 'package.file.entraManagerAndReports',
  'entra/app-role-assignments.json': 'package.file.entraAppRoleAssignments',
  'entra/authentication-methods.json': 'package.file.entraAuthenticationMethods',
  'entra/licenses.json': 'package.file.entraLicenses',
  'entra/sign-in-activity.json': 'package.file.entraSignInActivity',
};

function fileItem(words: Words, f: ManifestFile): string {
  const note = FILE_NOTES[f.path];
  const item = note
    ? html(words, 'package.readme.fileWithNote', { path: code(f.path), size: words.bytes(f.bytes), note: words.t(note) })
    : `${code(f.path).html} (${escapeHtml(words.bytes(f.bytes))})`;
  return `<li>${item}</li>`;
}

/**
 * Notes after a service's files, for what it could not export: devices (personal data Graph lets
 * no application list per user) below every Entra folder, and sign-in activity when it is missing.
 */
function missingNote(words: Words, files: ManifestFile[]): string {
  const paths = new Set(files.map((f) => f.path));
  if (!paths.has('entra/profile.json')) return '';
  const notes: MessageKey[] = ['package.readme.devicesMissing', ...(paths.has('entra/sign-in-activity.json') ? [] : ['package.readme.signInActivityMissing' as const])];
  return notes.map((note) => `<p>${html(words, note)}</p>`).join('');
}

function section(words: Words, s: { folder: string; files: ManifestFile[] }): string {
  const service = serviceOf(s.folder);
  const title = service ? html(words, `package.service.${service}`) : escapeHtml(s.folder);
  const about = service ? `<p>${html(words, `package.folder.${service}`)}</p>` : '';
  return `<h2>${title}</h2>${about}<ul>${s.files.map((f) => fileItem(words, f)).join('')}</ul>${missingNote(words, s.files)}`;
}

/**
 * The package's human-readable summary, in the words of the person it is for: what is inside and
 * how to check it. File names stay as they are in the ZIP.
 */
export function renderPackageReadme(manifest: Manifest, services: { folder: string; files: ManifestFile[] }[], words: Words): string {
  const head = manifest.auditHead;
  // The requester's copy of where the bot's audit record stood: an auditor can hold the record to it.
  const auditRecord = head
    ? `<p>${html(words, 'package.readme.auditRecord', { count: head.count, hash: code(head.hash), field: code('auditHead'), manifest: code('manifest.json') })}</p>\n`
    : '';
  return `<!doctype html>
<html lang="${words.locale}"><head><meta charset="utf-8"><title>${html(words, 'package.readme.title', { requestId: manifest.requestId })}</title></head>
<body>
<h1>${html(words, 'package.readme.heading', { requestId: manifest.requestId })}</h1>
<p>${html(words, 'package.readme.preparedFor', { name: manifest.subject.displayName, date: words.dateTime(manifest.generatedAt) })}
${html(words, 'package.readme.foldersIntro')}</p>
${services.map((s) => section(words, s)).join('\n')}
<p>${html(words, 'package.readme.manifest', { manifest: code('manifest.json'), command: code('sha256sum entra/profile.json') })}</p>
${auditRecord}</body></html>
`;
}
