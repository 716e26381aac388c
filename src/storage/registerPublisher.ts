import { ContainerClient } from '@azure/storage-blob';
import { Clock, RecordsStore, registerCsv, RegisterRow, registerRows, RegisterSummary, registerSummary } from '../dsr';
import { Locale, wordsFor } from '../i18n';
import { REGISTER_PREFIX } from './ownTraces';
import { registerWording } from './registerWording';

export interface PublishedRegister {
  rows: RegisterRow[];
  summary: RegisterSummary;
  blobName: string;
  link: { url: string; expiresAt: Date };
}

export interface RegisterPublisherDeps {
  store: Pick<RecordsStore, 'listAll'>;
  /** The exports container: its lifecycle rule deletes the CSV after the link has expired. */
  container: ContainerClient;
  /** Signs read-only links as export packages get them (BlobExportStore.linkFor). */
  links: { linkFor(blobName: string, days: number): Promise<{ url: string; expiresAt: Date }> };
  clock: Clock;
  pseudonymKey: string;
  linkDays: number;
  /** DSR_DEFAULT_LOCALE: the language of the CSV's column titles. */
  locale: Locale;
}

/**
 * The register as the compliance channel's `report` hands it out: drawn up from every request,
 * written as CSV to the exports container, with a read-only link. It holds no personal data of
 * subjects (request ids and pseudonyms), so a channel may see the link.
 */
export class RegisterPublisher {
  constructor(private readonly deps: RegisterPublisherDeps) {}

  async publish(): Promise<PublishedRegister> {
    const { clock, container } = this.deps;
    const now = clock.now();
    const rows = registerRows(await this.deps.store.listAll(), { pseudonymKey: this.deps.pseudonymKey, now });
    const csv = registerCsv(rows, registerWording(wordsFor(this.deps.locale)));
    const blobName = `${REGISTER_PREFIX}dsr-register-${now.toISOString().replace(/[:.]/g, '-')}.csv`;
    await container.getBlockBlobClient(blobName).upload(csv, Buffer.byteLength(csv), { blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8' } });
    const link = await this.deps.links.linkFor(blobName, this.deps.linkDays);
    return { rows, summary: registerSummary(rows, now), blobName, link };
  }
}
