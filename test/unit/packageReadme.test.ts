import type { Manifest, ManifestFile } from '../../src/storage/exportPackage';
import { renderPackageReadme } from '../../src/storage/packageReadme';
import { PACKAGE_FOLDERS, SERVICE_LABELS, SERVICE_NAMES } from '../../src/dsr';

const file = (path: string): ManifestFile => ({ path, sha256: '00'.repeat(32), bytes: 10 });
const manifest = (files: ManifestFile[]): Manifest => ({
  requestId: 'DSR-2026-0001',
  kind: 'export',
  subject: { aadObjectId: 'a', upn: 'u@contoso.test', displayName: 'Someone' },
  generatedAt: '2026-12-01T00:00:00.000Z',
  files,
});
const readme = (paths: string[]) => {
  const files = paths.map(file);
  return renderPackageReadme(manifest(files), [{ folder: 'entra', label: 'Microsoft Entra ID', files }]);
};

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

    expect(renderPackageReadme(manifest(files), [{ folder: 'iot-hub', label: 'IoT Hub', files }])).not.toContain('sign-in activity');
  });

  it('explains every service\'s folder above its files, the role assignments and system-generated logs included', () => {
    const services = SERVICE_NAMES.map((service) => ({ folder: PACKAGE_FOLDERS[service], label: SERVICE_LABELS[service], files: [file(`${PACKAGE_FOLDERS[service]}/data.json`)] }));
    const text = renderPackageReadme(manifest(services.flatMap((s) => s.files)), services);
    const sections = text.split('<h2>').slice(1);

    expect(sections).toHaveLength(SERVICE_NAMES.length);
    // Each section: the label, then a paragraph saying what the folder holds, then its files.
    for (const section of sections) expect(section).toMatch(/^[^<]+<\/h2><p>[^<]{20,}<\/p><ul>/);
    expect(text).toContain('Your Azure role assignments on the IoT resources');
    expect(text).toContain('exported by Microsoft through Microsoft Graph');
  });
});
