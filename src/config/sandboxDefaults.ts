/** Well-known Azurite account key, public by design (it only opens the local emulator). */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of a local Azurite whose blob, queue and table ports start at `blobPort`. */
export function azuriteConnectionString(host: string, blobPort: number, queuePort = blobPort + 1, tablePort = blobPort + 2): string {
  const account = 'devstoreaccount1';
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${blobPort}/${account}`,
    `QueueEndpoint=http://${host}:${queuePort}/${account}`,
    `TableEndpoint=http://${host}:${tablePort}/${account}`,
  ].join(';');
}

/** The sandbox contract of DESIGN.md: where each local stand-in listens. */
export const SANDBOX_PORTS = {
  azuriteBlob: 10000,
  graph: 4010,
  digitalTwins: 4020,
  iotCentral: 4030,
  dps: 4040,
  iotHub: 4050,
  arm: 4060,
  /** The sign-in stand-in for the dashboard tab (DSR_SANDBOX_LOGIN_PORT). */
  login: 4070,
  bot: 3978,
  playground: 56150,
} as const;

/** The hub the seeded DPS registrations name (src/sandbox/tenant.json). */
export const SANDBOX_IOT_HUB_HOST_NAME = 'contoso-hub.azure-devices.net';
