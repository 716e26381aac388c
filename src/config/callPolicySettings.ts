import { throttleSettingsFrom } from './throttleSettings';
import type { Config } from './config';
import type { SettingReader } from './settingReader';

/** Milliseconds a shareable read waits for other requests' reads: short, so a request alone hardly notices. */
export const DEFAULT_COALESCE_WINDOW_MS = 25;

/** Retries and limits of every call to a service (see src/adapters/callPolicy.ts). */
export interface CallPolicyConfig {
  timeoutMs: number;
  maxRetries: number;
  baseDelayMs: number;
  concurrency: number;
}

/**
 * Reads that requests in flight share (Graph `$batch`, Digital Twins and IoT Hub `IN` queries: src/adapters/calls/readCoalescer.ts, sharedListing.ts):
 * IoT Hub's owner queries and the listings of IoT Central and DPS, which cannot filter by owner.
 */
export interface ReadSharingConfig {
  /** How long an IoT Hub owner query waits for other requests' owners to join it: the most a request alone is slowed down. */
  coalesceWindowMs: number;
  /** How long discovery and export share one IoT Central user/device listing or DPS enrollment listing; erasure always lists afresh. */
  sharedListingMs: number;
}

/** How the bot calls services: timeouts, retries, concurrency, throttle budgets and shared reads. */
export function callPolicySettings(read: SettingReader, sandbox: boolean): Pick<Config, 'callPolicy' | 'throttle' | 'readSharing'> {
  return {
    callPolicy: {
      timeoutMs: read.whole('DSR_CALL_TIMEOUT_MS', 30_000, 100, 600_000),
      maxRetries: read.whole('DSR_CALL_MAX_RETRIES', 6, 0, 20),
      baseDelayMs: read.whole('DSR_CALL_BASE_DELAY_MS', 500, 0, 60_000),
      concurrency: read.whole('DSR_CALL_CONCURRENCY', 8, 1, 256),
    },
    // DSR_THROTTLE, DSR_THROTTLE_SHARE, DSR_THROTTLE_GRAPH, DSR_THROTTLE_DIGITAL_TWINS, DSR_THROTTLE_IOT_CENTRAL,
    // DSR_THROTTLE_DPS, DSR_THROTTLE_IOT_HUB and DSR_THROTTLE_ROLE_ASSIGNMENTS, read and checked in src/config/throttleSettings.ts.
    throttle: throttleSettingsFrom(read.env, read.problems, sandbox),
    readSharing: {
      coalesceWindowMs: read.whole('DSR_COALESCE_WINDOW_MS', DEFAULT_COALESCE_WINDOW_MS, 0, 1000),
      sharedListingMs: read.whole('DSR_SHARED_LISTING_MS', 10_000, 0, 300_000),
    },
  };
}
