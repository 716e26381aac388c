import { PACKAGE_FOLDERS } from '../dsr';
import type { Manifest, ManifestFile } from './exportPackage';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** What each service's folder holds, said once above its files. */
const FOLDER_NOTES: Record<string, string> = {
  [PACKAGE_FOLDERS.entra]: 'What your organisation\'s directory (Microsoft Entra ID) holds about your account.',
  [PACKAGE_FOLDERS.digitalTwins]: 'The digital twins that name you (a desk, a badge, a locker...) and their relationships; '
    + 'other people\'s twin ids are replaced by pseudonyms.',
  [PACKAGE_FOLDERS.iotCentral]: 'Your user in the IoT Central application and the devices whose owner property names you.',
  [PACKAGE_FOLDERS.dps]: 'Your device enrollments in the Device Provisioning Service and their registration records (no keys or certificates).',
  [PACKAGE_FOLDERS.iotHub]: 'The device identities and twins in IoT Hub that are tied to you (no keys or certificates).',
  [PACKAGE_FOLDERS.roleAssignments]: 'Your Azure role assignments on the IoT resources: which role, on which resource, since when. Those marked inheritedFromAbove are held above these resources (their resource group or subscription), where this bot cannot remove them: on an erasure a privacy admin removes them by hand.',
  [PACKAGE_FOLDERS.botStore]: 'What DSR Bot itself keeps about your requests.',
  [PACKAGE_FOLDERS.systemLogs]: 'What Microsoft\'s online services logged about your account (sign-ins, audit events, usage), exported by Microsoft '
    + 'through Microsoft Graph and stored here as Microsoft wrote them (JSON or CSV). Erasing your account removes them at Microsoft.',
};

/** What a file holds, where its name alone does not say it. */
const FILE_NOTES: Record<string, string> = {
  'entra/profile.json': 'your Entra ID profile: names, job, contact details, address, account type (member or guest)',
  'entra/memberships.json': 'the groups and directory roles you belong to, directly or through another group: ids and names',
  'entra/manager-and-reports.json': 'your manager and the people who report to you, by their Entra object id only',
  'entra/app-role-assignments.json': 'the application roles assigned to you',
  'entra/authentication-methods.json': 'the phone numbers and e-mail addresses registered for your sign-in (no passwords or keys)',
  'entra/licenses.json': 'the licences assigned to you (by product id) and the service plans they give you, since when',
  'entra/sign-in-activity.json': 'when you last signed in, interactively and not, and the request ids of those sign-ins',
};

/** Said when the Entra folder has no sign-in activity: it is personal data the bot could not read. */
const SIGN_IN_ACTIVITY_MISSING =
  'Your sign-in activity is not included: reading it needs a Microsoft Entra ID P1 or P2 licence and the AuditLog.Read.All ' +
  'permission, and this organisation does not give the bot both (or has switched it off). Your administrator can tell you more.';

function fileItem(f: ManifestFile): string {
  const note = FILE_NOTES[f.path];
  return `<li><code>${escapeHtml(f.path)}</code> (${f.bytes} bytes)${note ? `: ${escapeHtml(note)}` : ''}</li>`;
}

/** Said below every Entra folder: devices are personal data Graph lets no application list per user. */
const DEVICES_MISSING =
  'The devices you own or registered in Entra ID are not included: Microsoft Graph lets an application such as this bot ' +
  'list them only by signing in as you. Your administrator can export them for you from the Microsoft Entra admin center (Devices).';

/** Notes after a service's files, for what it could not export. */
function missingNote(files: ManifestFile[]): string {
  const paths = new Set(files.map((f) => f.path));
  if (!paths.has('entra/profile.json')) return '';
  const notes = [DEVICES_MISSING, ...(paths.has('entra/sign-in-activity.json') ? [] : [SIGN_IN_ACTIVITY_MISSING])];
  return notes.map((note) => `<p>${escapeHtml(note)}</p>`).join('');
}

/** The package's human-readable summary: what is inside and how to check it. */
export function renderPackageReadme(manifest: Manifest, services: { folder: string; label: string; files: ManifestFile[] }[]): string {
  const rows = services
    .map(
      (s) =>
        `<h2>${escapeHtml(s.label)}</h2>${FOLDER_NOTES[s.folder] ? `<p>${escapeHtml(FOLDER_NOTES[s.folder])}</p>` : ''}<ul>${s.files.map(fileItem).join('')}</ul>${missingNote(s.files)}`,
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
