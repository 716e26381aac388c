import { ENTRA_AUTHORITY, loadConfig, tabAuthority } from '../../src/config';

const GROUP = 'f0f0f0f0-0000-4000-8000-000000000001';
const AZURE = {
  MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
  MicrosoftAppPassword: 'app-secret',
  MicrosoftAppTenantId: '99999999-8888-4777-8666-555555555555',
  DSR_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=dsr;EndpointSuffix=core.windows.net',
  DSR_APPROVER_GROUP_ID: GROUP,
  DSR_PSEUDONYM_KEY: 'a-secret-of-more-than-16-chars',
  DSR_AUDIT_HMAC_KEY: Buffer.alloc(32, 1).toString('base64'),
};

describe('the dashboard tab settings', () => {
  it('trusts Entra ID in Azure, for the bot\'s app registration and the manifest\'s resource', () => {
    const { tab } = loadConfig(AZURE);
    expect(tab).toEqual({ signIn: 'teams', clientId: AZURE.MicrosoftAppId, resource: `api://botid-${AZURE.MicrosoftAppId}`, authorityUrl: ENTRA_AUTHORITY });
    expect(tabAuthority(tab!, AZURE.MicrosoftAppTenantId)).toEqual({
      issuer: `https://login.microsoftonline.com/${AZURE.MicrosoftAppTenantId}/v2.0`,
      jwksUrl: `https://login.microsoftonline.com/${AZURE.MicrosoftAppTenantId}/discovery/v2.0/keys`,
      authorizeUrl: `https://login.microsoftonline.com/${AZURE.MicrosoftAppTenantId}/oauth2/v2.0/authorize`,
      scope: `api://botid-${AZURE.MicrosoftAppId}/access_as_user`,
    });
  });

  it('refuses the sandbox sign-in outside sandbox mode', () => {
    expect(() => loadConfig({ ...AZURE, DSR_SANDBOX_LOGIN_URL: 'http://127.0.0.1:4070' })).toThrow(/DSR_SANDBOX_LOGIN_URL is set outside sandbox mode/);
  });

  it('uses the sandbox sign-in on loopback in sandbox mode, and nothing off loopback', () => {
    expect(loadConfig({}, GROUP).tab).toMatchObject({ signIn: 'sandbox', authorityUrl: 'http://127.0.0.1:4070' });
    expect(() => loadConfig({ DSR_SANDBOX_LOGIN_URL: 'http://login.example' }, GROUP)).toThrow(/must be a URL on loopback/);
  });
});
