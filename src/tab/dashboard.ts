import type restify from 'restify';
import { Config, TAB_PERMISSION, tabAuthority } from '../config';
import { Clock, Logger } from '../dsr';
import type { AuditDigests } from '../storage/auditDigests';
import type { StorageParts } from '../startup/storageParts';
import { DashboardReadModel } from './dashboardReadModel';
import { TabAccess } from './tabAccess';
import { registerTabRoutes } from './tabRoutes';
import { serveTabFiles } from './tabStatic';
import { TabTokens } from './tabTokens';

export interface DashboardParts {
  readModel: DashboardReadModel;
  /** How long loading the read model took at start, and how many requests it holds. */
  loaded: { requests: number; ms: number };
}

/**
 * The compliance dashboard on the bot's server: the tab's files under `/tab/`, and its API once
 * `config.tab` names the tab's sign-in (always in sandbox mode). The read model loads before the
 * server listens, so the first view is as fast as the next.
 */
export async function startDashboard(
  server: restify.Server,
  parts: {
    config: Config;
    /** The tenant whose people may sign in: the bot's, or the seeded one in the sandbox. */
    tenantId: string;
    storage: Pick<StorageParts, 'store' | 'audit' | 'clients'>;
    directory: { isApprover(aadObjectId: string): Promise<boolean>; isMemberOf(aadObjectId: string, groupId: string): Promise<boolean> };
    digests: Pick<AuditDigests, 'latestDigest'>;
    clock: Clock;
    log: Logger;
  },
): Promise<DashboardParts | undefined> {
  const { config, storage, directory, clock, log, tenantId } = parts;
  serveTabFiles(server);
  const tab = config.tab;
  if (!tab) return undefined;
  const authority = tabAuthority(tab, tenantId);
  const readModel = new DashboardReadModel({ store: storage.store, clock, pseudonymKey: config.pseudonymKey, timeZone: config.timeZone });
  const loaded = await readModel.load();
  log.info({ requests: loaded.requests, loadMs: Math.round(loaded.ms) }, 'dashboard read model loaded');
  const complianceGroupId = config.complianceGroupId;
  registerTabRoutes(server, {
    signIn: {
      signIn: tab.signIn,
      ...(tab.signIn === 'sandbox' ? { authorizeUrl: authority.authorizeUrl } : {}),
      clientId: tab.clientId,
      scope: authority.scope,
      tenantId,
    },
    tokens: new TabTokens({ issuer: authority.issuer, audiences: [tab.resource, tab.clientId], tenantId, jwksUrl: authority.jwksUrl, clock, permission: TAB_PERMISSION }),
    access: new TabAccess({
      isApprover: (id) => directory.isApprover(id),
      isComplianceOfficer: async (id) => (complianceGroupId ? directory.isMemberOf(id, complianceGroupId) : false),
      clock,
    }),
    readModel,
    store: storage.store,
    audit: storage.audit,
    digests: parts.digests,
    counters: storage.clients.counters,
    clock,
    log,
    pseudonymKey: config.pseudonymKey,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
  });
  return { readModel, loaded };
}
