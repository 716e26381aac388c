import type { Manifest, ManifestFile } from '../../src/storage/exportPackage';
import { renderPackageReadme } from '../../src/storage/packageReadme';
import { PACKAGE_FOLDERS, SERVICE_NAMES } from '../../src/dsr';
import { catalogOf, Locale, wordsFor } from '../../src/i18n';

const file = (path: string): ManifestFile => ({ path, sha256: '00'.repeat(32), bytes: 10 });
const manifest = (files: ManifestFile[]): Manifest => ({
  requestId: 'DSR-2026-0001',
  kind: 'export',
  subject: { aadObjectId: 'a', upn: 'u@contoso.test', displayName: 'Someone' },
  generatedAt: '2026-12-01T00:00:00.000Z',
  auditHead: { count: 4, hash: 'cc'.repeat(32) },
  files,
});
const ENTRA_FILES = ['entra/profile.json', 'entra/memberships.json', 'entra/manager-and-reports.json', 'entra/app-role-assignments.json',
  'entra/authentication-methods.json', 'entra/licenses.json'];
const readme = (paths: string[], locale: Locale = 'en') => {
  const files = paths.map(file);
  return renderPackageReadme(manifest(files), [{ folder: 'entra', files }], wordsFor(locale));
};
/** A README with every service's folder and every explained Entra file, with or without the sign-in activity. */
const fullReadme = (locale: Locale, signInActivity = false) => {
  const entraFiles = [...ENTRA_FILES, ...(signInActivity ? ['entra/sign-in-activity.json'] : [])];
  const services = SERVICE_NAMES.map((service) => ({
    folder: PACKAGE_FOLDERS[service],
    files: service === 'entra' ? entraFiles.map(file) : [file(`${PACKAGE_FOLDERS[service]}/data.json`)],
  }));
  return renderPackageReadme(manifest(services.flatMap((s) => s.files)), services, wordsFor(locale, 'Europe/Berlin'));
};
/** Both forms of the README (with and without sign-in activity): every message the package has, as the reader sees it. */
const allWords = (locale: Locale) => unescape(fullReadme(locale) + fullReadme(locale, true));
const unescape = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * The English sentences of the package's messages (their literal text between placeholders, cut at
 * sentence marks) of three words or more, where the other language says something else.
 */
function englishSentences(locale: Locale): string[] {
  const english = catalogOf('en');
  const own = catalogOf(locale);
  return Object.keys(english)
    .filter((key) => /^package\.(readme|service|folder|file)\./.test(key) && own[key] !== english[key])
    .flatMap((key) => english[key].replace(/\{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, '\n').split(/\n|[.:;,]\s/))
    .map((piece) => piece.trim())
    .filter((piece) => piece.split(/\s+/).length >= 3);
}

describe('the package README', () => {
  it('explains each file of the Entra record', () => {
    const text = readme(['entra/profile.json', 'entra/memberships.json', 'entra/manager-and-reports.json', 'entra/sign-in-activity.json']);

    expect(text).toContain('<code>entra/memberships.json</code> (10 bytes): the groups and directory roles you belong to');
    expect(text).toContain('by their Entra object id only');
    expect(text).not.toContain('Your sign-in activity is not included');
  });

  it('says so when the Entra record has no sign-in activity, naming the licence and the permission it needs', () => {
    const text = readme(['entra/profile.json', 'entra/licenses.json']);

    expect(text).toContain('Your sign-in activity is not included');
    expect(text).toContain('Microsoft Entra ID P1 or P2 licence and the AuditLog.Read.All');
  });

  it('says nothing about sign-in activity when there is no Entra folder at all', () => {
    const files = [file('iot-hub/devices.json')];

    expect(renderPackageReadme(manifest(files), [{ folder: 'iot-hub', files }], wordsFor('en'))).not.toContain('sign-in activity');
  });

  it('explains every service\'s folder above its files, the role assignments and system-generated logs included', () => {
    const text = fullReadme('en');
    const sections = text.split('<h2>').slice(1);

    expect(sections).toHaveLength(SERVICE_NAMES.length);
    // Each section: the label, then a paragraph saying what the folder holds, then its files.
    for (const section of sections) expect(section).toMatch(/^[^<]+<\/h2><p>[^<]{20,}<\/p><ul>/);
    expect(text).toContain('<h2>Entra system-generated logs</h2>');
    expect(text).toContain('What your organisation&#39;s directory (Microsoft Entra ID) holds about your account.');
    expect(text).toContain('Your Azure role assignments on the IoT resources');
    expect(text).toContain('exported by Microsoft through Microsoft Graph');
    expect(text).toContain('held 4 entries, the last with hash <code>' + 'cc'.repeat(32) + '</code>');
  });

  it('escapes what it is given and what the catalog says: a name cannot put markup into the README', () => {
    const files = [file('entra/profile.json')];
    const text = renderPackageReadme({ ...manifest(files), subject: { aadObjectId: 'a', upn: 'u', displayName: '<img src=x onerror=alert(1)>' } }, [{ folder: 'entra', files }], wordsFor('en'));

    expect(text).toContain('Prepared for &lt;img src=x onerror=alert(1)&gt; on');
    expect(text).not.toContain('<img');
    expect(text).toContain('organisation&#39;s directory');
  });

  it.each(['en', 'de', 'fr', 'es'] as const)('declares its language (%s)', (locale) => {
    expect(fullReadme(locale)).toContain(`<html lang="${locale}">`);
  });

  it.each(['de', 'fr', 'es'] as const)('leaves no English sentence in the %s README, and keeps file names and hashes as they are', (locale) => {
    const text = allWords(locale);
    const sentences = englishSentences(locale);
    const englishText = allWords('en');

    expect(sentences.length).toBeGreaterThan(30);
    expect(sentences.filter((sentence) => text.includes(sentence))).toEqual([]);
    // The same sentences are all there in the English README: the check can see them.
    expect(sentences.filter((sentence) => !englishText.includes(sentence))).toEqual([]);
    expect(text).toContain('entra/manager-and-reports.json');
    expect(text).toContain('cc'.repeat(32));
  });

  it('writes the German README as a German reader expects: the date in German form in the tenant\'s time zone, the legal term for erasure', () => {
    const text = unescape(fullReadme('de'));

    expect(text).toContain('Erstellt für Someone am 01.12.2026, 01:00 MEZ.');
    expect(text).toContain('Bei einer Löschung entfernt sie');
    expect(text).toContain('(10 Byte)');
  });
});
