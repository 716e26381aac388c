import type { TableClient } from '@azure/data-tables';
import type restify from 'restify';
import { Clock, errorCode, Logger, QueueFilter, RecordsStore, RequestStore } from '../dsr';
import type { Locale } from '../i18n';
import type { AuditDigests } from '../storage/auditDigests';
import { lastVerification } from '../storage/auditVerifications';
import { registerFiles } from '../storage/registerFiles';
import type { TableAuditLog } from '../storage/tableAuditLog';
import type { DashboardReadModel } from './dashboardReadModel';
import { requestPage } from './requestPage';
import { TabAccess, TabRole } from './tabAccess';
import { bearerToken, TabIdentity, TabTokens } from './tabTokens';

export interface TabRoutesDeps {
  /** What the web app needs to sign in (`GET /tab/api/config`). */
  signIn: { signIn: 'teams' | 'sandbox'; authorizeUrl?: string; clientId: string; scope: string; tenantId: string };
  tokens: TabTokens;
  access: TabAccess;
  readModel: DashboardReadModel;
  store: Pick<RequestStore, 'get'> & Pick<RecordsStore, 'listAll'>;
  audit: Pick<TableAuditLog, 'entries' | 'head' | 'breakIn'>;
  digests: Pick<AuditDigests, 'latestDigest'>;
  /** The counters table, where `npm run audit:verify` records its last outcome. */
  counters: TableClient;
  clock: Clock;
  log: Logger;
  pseudonymKey: string;
  timeZone: string;
  defaultLocale: Locale;
}

const error = (code: string) => ({ error: { code } });

type View = (req: restify.Request, res: restify.Response, viewer: TabIdentity & { role: TabRole }) => Promise<void>;

const QUEUE_FILTERS = ['kind', 'regime', 'state', 'q'] as const;

/**
 * The dashboard tab's API under `/tab/api/` (the contract in the README's dashboard section): every route but
 * `config` needs a bearer token the tab's authority signed for the tab, of someone in the
 * approvers' or compliance officers' group; 401 without one, 403 for everyone else.
 */
export function registerTabRoutes(server: restify.Server, deps: TabRoutesDeps): void {
  const guarded = (name: string, view: View) => async (req: restify.Request, res: restify.Response): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    const token = bearerToken(req.header('authorization'));
    const identity = token ? await deps.tokens.verify(token) : undefined;
    if (!identity) {
      res.setHeader('www-authenticate', 'Bearer');
      res.send(401, error('Unauthenticated'));
      return;
    }
    try {
      const role = await deps.access.roleOf(identity.aadObjectId);
      if (!role) {
        res.send(403, error('NoAccess'));
        return;
      }
      await view(req, res, { ...identity, role });
    } catch (failure) {
      deps.log.warn({ view: name, error: errorCode(failure) }, 'dashboard view failed');
      res.send(503, error('Unavailable'));
    }
  };

  server.get('/tab/api/config', (_req, res, next) => {
    res.send(200, deps.signIn);
    next();
  });

  server.get('/tab/api/me', guarded('me', async (_req, res, viewer) => {
    res.send(200, { role: viewer.role, displayName: viewer.displayName, locale: deps.defaultLocale });
  }));

  server.get('/tab/api/queue', guarded('queue', async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://tab').searchParams;
    const filter: QueueFilter = Object.fromEntries(QUEUE_FILTERS.flatMap((name) => (query.get(name) ? [[name, query.get(name)!]] : [])));
    const now = deps.clock.now();
    const requests = (await deps.readModel.current()).queue(now, filter);
    res.send(200, { asOf: now.toISOString(), requests });
  }));

  server.get('/tab/api/requests/:id', guarded('request', async (req, res, viewer) => {
    const id = String(req.params.id ?? '');
    const stored = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await deps.store.get(id) : undefined;
    if (!stored) {
      res.send(404, error('NotFound'));
      return;
    }
    const [entries, head] = await Promise.all([deps.audit.entries(id), deps.audit.head(id)]);
    const chainBreak = deps.audit.breakIn(id, { entries, ...(head ? { head } : {}) });
    res.send(200, requestPage(stored.request, { entries, chainBreak }, { role: viewer.role, pseudonymKey: deps.pseudonymKey, now: deps.clock.now(), timeZone: deps.timeZone }));
  }));

  server.get('/tab/api/charts', guarded('charts', async (_req, res) => {
    res.send(200, (await deps.readModel.current()).charts(deps.clock.now()));
  }));

  for (const format of ['csv', 'json'] as const) {
    server.get(`/tab/api/register.${format}`, guarded(`register.${format}`, async (_req, res) => {
      const files = await registerFiles(deps.store, { pseudonymKey: deps.pseudonymKey, clock: deps.clock, locale: deps.defaultLocale });
      res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${files.baseName}.${format}"`);
      res.sendRaw(200, files[format]);
    }));
  }

  server.get('/tab/api/audit', guarded('audit', async (_req, res) => {
    const [digest, verification] = await Promise.all([deps.digests.latestDigest(), lastVerification(deps.counters)]);
    res.send(200, {
      lastDigest: digest ? { sequence: digest.sequence, at: digest.at } : null,
      lastVerification: verification ? { at: verification.at, ok: verification.ok } : null,
    });
  }));
}
