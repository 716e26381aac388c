/** An object id or client id as Entra writes it. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads settings from the environment. A reader that finds a value it cannot take pushes a
 * problem naming the setting (never its value) and returns the fallback, so every problem of a
 * configuration is reported at once.
 */
export interface SettingReader {
  readonly env: NodeJS.ProcessEnv;
  /** Every problem found so far, shared by all section readers. */
  readonly problems: string[];
  /** The trimmed value, or `fallback` when unset or blank. */
  text(name: string, fallback: string): string;
  /** The trimmed value, or undefined when unset or blank. */
  optional(name: string): string | undefined;
  whole(name: string, fallback: number, min: number, max: number): number;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** `true` or `false`, false when unset. */
  yesNo(name: string): boolean;
  onOff(name: string, fallback: 'on' | 'off'): boolean;
  /** A dotted property path (`ownerId`, `externalIds.entra`): it goes into queries as it is. */
  propertyPath(name: string, fallback: string): string;
}

export function settingReader(env: NodeJS.ProcessEnv, problems: string[]): SettingReader {
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  return {
    env,
    problems,
    text,
    optional: (name) => text(name, '') || undefined,
    whole(name, fallback, min, max) {
      const raw = env[name]?.trim();
      if (!raw) return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${name} must be a whole number from ${min} to ${max}.`);
        return fallback;
      }
      return value;
    },
    oneOf(name, allowed, fallback) {
      const value = text(name, fallback);
      if ((allowed as readonly string[]).includes(value)) return value as typeof fallback;
      problems.push(`${name} must be one of ${allowed.join(', ')}.`);
      return fallback;
    },
    yesNo(name) {
      const value = text(name, 'false').toLowerCase();
      if (!['true', 'false'].includes(value)) problems.push(`${name} must be true or false.`);
      return value === 'true';
    },
    onOff(name, fallback) {
      const value = text(name, fallback).toLowerCase();
      if (!['on', 'off'].includes(value)) problems.push(`${name} must be on or off.`);
      return value === 'on';
    },
    propertyPath(name, fallback) {
      const value = text(name, fallback);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(value)) problems.push(`${name} must be a property path such as ownerId or externalIds.entra.`);
      return value;
    },
  };
}
