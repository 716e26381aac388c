import path from 'node:path';
import type { Config } from './config';
import type { SettingReader } from './settingReader';

/**
 * Jobs one process runs at once, unless DSR_WORKER_CONCURRENCY says otherwise. A job mostly waits
 * on services, and requests in flight share their reads (one IoT Hub owner query for all of
 * them), so more jobs at once fill each shared read: at 4, a wave of 1,000 exports at the real
 * limits took 1,458 s; at 16, 357 s. Exports stream, so 16 at once of the largest subject the
 * benchmark has (50,000 twins) peaked at 648 MB, with 99 MB live (bench/README.md, largeExport).
 */
export const DEFAULT_WORKER_CONCURRENCY = 16;

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
