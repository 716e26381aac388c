import { randomUUID } from 'node:crypto';
import { ContainerClient } from '@azure/storage-blob';
import type { JsonStateStore, Route } from '../common';
import { badRequest, resourceNotFound } from './graphErrors';
import { findUserIndex, type GraphState, type GraphUser } from './graphState';
import { odataContext } from './userProjection';

/** How long a sandbox export takes unless `SANDBOX_GRAPH_EXPORT_DELAY_MS` says otherwise: seconds, not Graph's days. */
export const DEFAULT_EXPORT_DELAY_MS = 5_000;

/** A `dataPolicyOperation` as the sandbox stores it. */
export interface DataPolicyOperation {
  id: string;
  userId: string;
  storageLocation: string;
  submittedDateTime: string;
  /** When the sandbox lets it end; the status is read from the time elapsed. */
  dueDateTime: string;
  status: 'notStarted' | 'running' | 'complete' | 'failed';
  completedDateTime: string | null;
}

/**
 * `POST /users/{id}/exportPersonalData` and `GET /dataPolicyOperations/{id}`: Graph's export of
 * system-generated logs. The export writes its files into the caller's container through the SAS
 * URL it was given (the SAS is all that grants access) once `delayMs` has passed, on the first read
 * after that; a container it cannot write to fails the operation, as Graph's does.
 */
export function dataPolicyRoutes(store: JsonStateStore<GraphState>, delayMs: number): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1.0/users/{id}/exportPersonalData',
      handler: async ({ params, body, baseUrl }) => {
        const storageLocation = containerSasUrl(body);
        const user = store.current.users[findUserIndex(store.current.users, params.id)];
        if (!user) throw resourceNotFound(params.id);
        const now = Date.now();
        const operation: DataPolicyOperation = {
          id: randomUUID(),
          userId: user.id,
          storageLocation,
          submittedDateTime: new Date(now).toISOString(),
          dueDateTime: new Date(now + delayMs).toISOString(),
          status: 'notStarted',
          completedDateTime: null,
        };
        await store.update((state) => { state.dataPolicyOperations = [...(state.dataPolicyOperations ?? []), operation]; });
        return {
          status: 202,
          headers: { Location: `${baseUrl}/v1.0/dataPolicyOperations/${operation.id}`, 'Retry-After': String(retryAfterSeconds(delayMs)) },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v1.0/dataPolicyOperations/{id}',
      handler: async ({ params, baseUrl }) => {
        const found = (store.current.dataPolicyOperations ?? []).find((operation) => operation.id === params.id.toLowerCase());
        if (!found) throw resourceNotFound(params.id);
        const operation = await advance(store, found);
        const { dueDateTime: _due, ...shown } = operation;
        return {
          status: 200,
          body: {
            '@odata.context': odataContext(baseUrl, 'dataPolicyOperations', undefined, '/$entity'),
            ...shown,
            progress: progressOf(operation),
          },
        };
      },
    },
  ];
}

/** The wait Graph suggests before the first status check: a quarter of the sandbox's delay. */
function retryAfterSeconds(delayMs: number): number {
  return Math.max(1, Math.ceil(delayMs / 4_000));
}

function containerSasUrl(body: unknown): string {
  const location = (body as { storageLocation?: unknown } | undefined)?.storageLocation;
  if (typeof location !== 'string' || location === '') throw badRequest("The property 'storageLocation' is required.");
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw badRequest("The property 'storageLocation' is not a valid URL.");
  }
  // A container URL: account (and, for Azurite, its name in the path) and container, nothing below; a SAS in the query.
  const segments = url.pathname.split('/').filter(Boolean);
  const isContainer = url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? segments.length === 2 : segments.length === 1;
  if (!['https:', 'http:'].includes(url.protocol) || !isContainer || !url.searchParams.has('sig')) {
    throw badRequest("The property 'storageLocation' must be the SAS URL of a blob container.");
  }
  return location;
}

/** Moves an operation on by the time elapsed; the first read past its due time writes the logs. */
async function advance(store: JsonStateStore<GraphState>, operation: DataPolicyOperation): Promise<DataPolicyOperation> {
  if (operation.status === 'complete' || operation.status === 'failed') return operation;
  const now = Date.now();
  const submitted = Date.parse(operation.submittedDateTime);
  const due = Date.parse(operation.dueDateTime);
  let next: DataPolicyOperation;
  if (now < due) {
    next = { ...operation, status: now - submitted < (due - submitted) / 5 ? 'notStarted' : 'running' };
  } else {
    const user = store.current.users[findUserIndex(store.current.users, operation.userId)];
    const written = user ? await writeLogs(operation, user).then(() => true, () => false) : false;
    next = { ...operation, status: written ? 'complete' : 'failed', completedDateTime: written ? new Date(now).toISOString() : null };
  }
  if (next.status === operation.status) return next;
  await store.update((state) => {
    state.dataPolicyOperations = (state.dataPolicyOperations ?? []).map((candidate) => (candidate.id === next.id ? next : candidate));
  });
  return next;
}

function progressOf(operation: DataPolicyOperation): number {
  if (operation.status === 'complete') return 100;
  const submitted = Date.parse(operation.submittedDateTime);
  const share = (Date.now() - submitted) / Math.max(1, Date.parse(operation.dueDateTime) - submitted);
  return operation.status === 'running' ? Math.min(99, Math.round(share * 100)) : 0;
}

/**
 * Plausible system-generated logs, one file per Microsoft service, naming the user by object id
 * and UPN only (as Microsoft's export does), written through the SAS URL alone.
 */
async function writeLogs(operation: DataPolicyOperation, user: GraphUser): Promise<void> {
  const container = new ContainerClient(operation.storageLocation);
  const at = operation.submittedDateTime;
  const files: Record<string, string> = {
    'AzureActiveDirectory/SignInLogs.json': JSON.stringify([
      { createdDateTime: at, userId: user.id, userPrincipalName: user.userPrincipalName, appDisplayName: 'Microsoft Teams', clientAppUsed: 'Browser', status: { errorCode: 0 } },
    ], null, 2),
    'AzureActiveDirectory/AuditLogs.json': JSON.stringify([
      { activityDateTime: at, activityDisplayName: 'Update user', category: 'UserManagement', targetResources: [{ id: user.id, userPrincipalName: user.userPrincipalName }] },
    ], null, 2),
    'MicrosoftTeams/UsageEvents.csv': `timestamp,userId,userPrincipalName,event\n${at},${user.id},${user.userPrincipalName},ChatMessageSent\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    await container.getBlockBlobClient(`${operation.id}/${name}`).upload(text, Buffer.byteLength(text));
  }
}
