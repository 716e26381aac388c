import { SandboxUrls } from '../../src/sandbox/sandboxServices';

/** The api-version each sandbox service wants on a data-plane call. */
const API_VERSIONS: Record<Exclude<keyof SandboxUrls, 'graph' | 'login'>, string> = {
  digitalTwins: '2023-10-31',
  iotCentral: '2022-07-31',
  dps: '2021-10-01',
  iotHub: '2021-04-12',
  arm: '2022-04-01',
};

/**
 * Looks at a sandbox service from the outside, over HTTP as any client would: what a test
 * checks there is what the service really holds, not what the bot says it did.
 */
export class SandboxProbe {
  constructor(private readonly urls: SandboxUrls) {}

  async status(service: keyof typeof API_VERSIONS, path: string): Promise<number> {
    return (await this.get(service, path)).status;
  }

  async get(service: keyof typeof API_VERSIONS, path: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, this.urls[service]);
    url.searchParams.set('api-version', API_VERSIONS[service]);
    const response = await fetch(url, { headers: { authorization: 'Bearer sandbox-probe' } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Adds a fault rule (see src/sandbox/common/faultInjector.ts). */
  async inject(service: keyof SandboxUrls, rule: Record<string, unknown>): Promise<void> {
    const response = await fetch(new URL('/_sandbox/faults', this.urls[service]), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    if (!response.ok) throw new Error(`fault rule refused: ${response.status} ${await response.text()}`);
  }

  async clearFaults(service: keyof SandboxUrls): Promise<void> {
    await fetch(new URL('/_sandbox/faults', this.urls[service]), { method: 'DELETE' });
  }
}
