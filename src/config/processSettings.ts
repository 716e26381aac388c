import path from 'node:path';
import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** Jobs one process runs at once, unless DSR_WORKER_CONCURRENCY says otherwise. */
export const DEFAULT_WORKER_CONCURRENCY = 4;

/** Where the process keeps local state, how its job worker runs, and what it logs. */
export function processSettings(read: SettingReader): Pick<Config, 'dataDir' | 'jobVisibilitySeconds' | 'workerConcurrency' | 'logLevel'> {
  return {
    dataDir: path.resolve(read.text('DSR_DATA_DIR', '.data')),
    // Also the run lease: a crashed worker's job is taken up again within this, so it stays short
    // (it is renewed every third of it while a job runs).
    jobVisibilitySeconds: read.whole('DSR_JOB_VISIBILITY_SECONDS', 30, 1, 7 * 24 * 3600),
    workerConcurrency: read.whole('DSR_WORKER_CONCURRENCY', DEFAULT_WORKER_CONCURRENCY, 1, 64),
    logLevel: read.text('DSR_LOG_LEVEL', 'info'),
  };
}
