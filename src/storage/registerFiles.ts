import { Clock, RecordsStore, registerCsv, registerJson, RegisterRow, registerRows } from '../dsr';
import { Locale, wordsFor } from '../i18n';
import { registerWording } from './registerWording';

/** The register's two files as `npm run register:export` writes them and the dashboard hands them out. */
export interface RegisterFiles {
  /** `dsr-register-YYYY-MM-DD`, the date of drawing up. */
  baseName: string;
  csv: string;
  json: string;
  rows: RegisterRow[];
}

/** The DSR register of every request in `store`, drawn up now: CSV titles in `locale`, subjects by pseudonym. */
export async function registerFiles(store: Pick<RecordsStore, 'listAll'>, options: { pseudonymKey: string; clock: Clock; locale: Locale }): Promise<RegisterFiles> {
  const now = options.clock.now();
  const rows = registerRows(await store.listAll(), { pseudonymKey: options.pseudonymKey, now });
  return {
    baseName: `dsr-register-${now.toISOString().slice(0, 10)}`,
    csv: registerCsv(rows, registerWording(wordsFor(options.locale))),
    json: registerJson(rows, now),
    rows,
  };
}
