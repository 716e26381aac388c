import { ContainerClient, StorageSharedKeyCredential, UserDelegationKey } from '@azure/storage-blob';
import { BlobExportStore, ReadLinkTerms, USER_DELEGATION_SAS_VERSION, userDelegationSasQuery } from '../../src/storage/blobExportStore';

const OID = '6f1c2a4e-0000-4000-8000-00000000a11d';
const TID = '72f988bf-0000-4000-8000-0000000000a1';

/** A fixed key, as Azure's Get User Delegation Key would answer for the managed identity. */
function keyWith(value: string): UserDelegationKey {
  return {
    signedObjectId: OID,
    signedTenantId: TID,
    signedStartsOn: new Date('2026-03-01T09:55:00Z'),
    signedExpiresOn: new Date('2026-03-08T09:45:00Z'),
    signedService: 'b',
    signedVersion: '2025-05-05',
    value,
  };
}
const KEY = keyWith(Buffer.alloc(32, 7).toString('base64'));

const TERMS: ReadLinkTerms = {
  accountName: 'dsrstore',
  containerName: 'exports',
  blobName: 'DSR-2026-0042/DSR-2026-0042-export.zip',
  startsOn: new Date('2026-03-01T09:55:00Z'),
  expiresOn: new Date('2026-03-08T09:45:00Z'),
  fileName: 'DSR-2026-0042-export.zip',
};

const paramsOf = (query: string) => Object.fromEntries(new URLSearchParams(query));

describe('user-delegation export links', () => {
  it('grants read only, over https only, on one blob, until the expiry', () => {
    const params = paramsOf(userDelegationSasQuery(TERMS, KEY));
    expect(params).toMatchObject({
      sp: 'r',
      spr: 'https',
      sr: 'b',
      st: '2026-03-01T09:55:00Z',
      se: '2026-03-08T09:45:00Z',
      sv: USER_DELEGATION_SAS_VERSION,
      rscd: 'attachment; filename="DSR-2026-0042-export.zip"',
    });
  });

  it('names the signing identity and its key: object id, tenant, key start, key expiry, service and version', () => {
    const params = paramsOf(userDelegationSasQuery(TERMS, KEY));
    expect(params).toMatchObject({
      skoid: OID,
      sktid: TID,
      skt: '2026-03-01T09:55:00Z',
      ske: '2026-03-08T09:45:00Z',
      sks: 'b',
      skv: '2025-05-05',
    });
  });

  it('carries no account-key signature fields and signs with an HMAC-SHA256 of the key', () => {
    const query = userDelegationSasQuery(TERMS, KEY);
    const params = paramsOf(query);
    expect(Buffer.from(params.sig, 'base64')).toHaveLength(32);
    expect(params.si).toBeUndefined(); // no stored access policy: nothing on the account to revoke by hand
    expect(query).not.toContain('sig=undefined');
  });

  it('signs differently for another key, another blob or another expiry, and the same for the same terms', () => {
    const sig = (terms: ReadLinkTerms, key = KEY) => paramsOf(userDelegationSasQuery(terms, key)).sig;
    const base = sig(TERMS);
    expect(sig(TERMS)).toBe(base);
    expect(sig(TERMS, keyWith(Buffer.alloc(32, 8).toString('base64')))).not.toBe(base);
    expect(sig({ ...TERMS, blobName: 'DSR-2026-0043/DSR-2026-0043-export.zip' })).not.toBe(base);
    expect(sig({ ...TERMS, expiresOn: new Date('2026-03-08T09:46:00Z') })).not.toBe(base);
  });
});

describe('export links signed with the account key', () => {
  const ACCOUNT_KEY = Buffer.alloc(64, 3).toString('base64');
  const at = { now: () => new Date('2026-03-01T10:00:00Z') };
  /** The link the bot hands out for a package in the container at `containerUrl` (signing is local: no call to the account). */
  const linkIn = async (containerUrl: string, account: string) =>
    new URL((await new BlobExportStore(new ContainerClient(containerUrl, new StorageSharedKeyCredential(account, ACCOUNT_KEY)), at).linkFor(TERMS.blobName, 7)).url);

  it('are https-only on an Azure account', async () => {
    const link = await linkIn('https://dsrstore.blob.core.windows.net/exports', 'dsrstore');
    expect(link.protocol).toBe('https:');
    expect(link.searchParams.get('spr')).toBe('https');
    expect(link.searchParams.get('sp')).toBe('r');
  });

  it('are https-only on an https emulator endpoint on loopback', async () => {
    expect((await linkIn('https://127.0.0.1:10000/devstoreaccount1/exports', 'devstoreaccount1')).searchParams.get('spr')).toBe('https');
  });

  it('allow http only where the blob endpoint itself is plain http on loopback (Azurite)', async () => {
    expect((await linkIn('http://127.0.0.1:10000/devstoreaccount1/exports', 'devstoreaccount1')).searchParams.get('spr')).toBe('https,http');
    expect((await linkIn('http://dsrstore.blob.core.windows.net/exports', 'dsrstore')).searchParams.get('spr')).toBe('https');
  });
});
