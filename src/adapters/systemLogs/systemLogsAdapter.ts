import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { AdapterCallContext, DiscoveryResult, ExportFile, LongRunningExport, ServiceAdapter, ServiceError, ServiceExportCheck, StepReport, Subject } from '../../dsr';

const DOCUMENTED_STATUSES: ReadonlySet<string> = new Set(['notStarted', 'running', 'complete', 'failed']);

/**
 * Entra system-generated logs through Microsoft Graph's `exportPersonalData`: what Microsoft's
 * services log about the user, exported only by Microsoft, into a container the bot owns, over
 * days. Export only: nothing here can be erased, corrected or restricted.
 */
export class SystemLogsAdapter implements ServiceAdapter, LongRunningExport {
  readonly service = 'systemLogs' as const;

  /** `graphUrl`: the only host whose operation addresses are followed (the token goes there). */
  constructor(
    private readonly graph: Client,
    private readonly graphUrl: string,
  ) {}

  async discover(_subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    return context.kind === 'access' || context.kind === 'export' ? { count: 1, items: [{ code: 'systemLogs.export' }] } : { count: 0, items: [] };
  }

  /** The logs come as a second package once Microsoft's export ends (serviceExports.ts), not here. */
  async *export(): AsyncIterable<ExportFile> {}

  async erase(): Promise<StepReport> {
    // Nothing is changed here: Microsoft removes the logs with the account (DESIGN.md).
    return { summary: { code: 'systemLogs.expungedWithAccount' }, count: 0 };
  }

  async start(subject: Subject, destination: string, context: AdapterCallContext): Promise<{ operation: string; retryAfterSeconds: number }> {
    const response = await this.call(() => this.graph
      .api(`/users/${encodeURIComponent(subject.aadObjectId)}/exportPersonalData`)
      .responseType(ResponseType.RAW)
      .option('signal', context.signal)
      .post({ storageLocation: destination })) as Response;
    const operation = response.headers.get('Location');
    if (response.status !== 202 || !operation || !this.isGraphAddress(operation)) {
      throw new ServiceError('systemLogs', 'Microsoft Graph did not accept the export', response.status, 'NoOperationLocation');
    }
    return { operation, retryAfterSeconds: retryAfterOf(response) ?? 0 };
  }

  async check(operation: string, context: AdapterCallContext): Promise<ServiceExportCheck> {
    if (!this.isGraphAddress(operation)) throw new ServiceError('systemLogs', 'The export operation is not on Microsoft Graph', undefined, 'ForeignOperation');
    const response = await this.call(() => this.graph.api(operation).responseType(ResponseType.RAW).option('signal', context.signal).get()) as Response;
    const body = await response.json() as { status?: string; progress?: number };
    // `unknownFutureValue` (or a status added later) is not an end: keep polling.
    const status = body.status && DOCUMENTED_STATUSES.has(body.status) ? body.status as ServiceExportCheck['status'] : 'running';
    const retryAfterSeconds = retryAfterOf(response);
    return { status, progress: typeof body.progress === 'number' ? body.progress : 0, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
  }

  private isGraphAddress(url: string): boolean {
    try {
      return new URL(url).origin === new URL(this.graphUrl).origin;
    } catch {
      return false;
    }
  }

  /** RAW answers come back whatever their status: an error status is thrown here, as the client throws its own. */
  private async call(work: () => Promise<unknown>): Promise<Response> {
    let response: Response;
    try {
      response = await work() as Response;
    } catch (error) {
      const e = error as { statusCode?: number; code?: string };
      throw new ServiceError('systemLogs', 'Microsoft Graph refused the call', e.statusCode, e.code);
    }
    if (!response.ok) {
      const code = await response.json().then((body: { error?: { code?: string } }) => body.error?.code, () => undefined);
      throw new ServiceError('systemLogs', 'Microsoft Graph refused the call', response.status, code);
    }
    return response;
  }
}

function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('Retry-After'));
  return response.headers.has('Retry-After') && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
