import type { ServiceName } from '../dsr';
import type { SettingReader } from './settingReader';

/**
 * Why `value` cannot be a service's URL outside sandbox mode, or undefined: the bot sends the
 * managed identity's tokens to it (Graph's with User.ReadWrite.All), so https only.
 */
export function serviceUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL outside sandbox mode: the bot sends its access tokens there';
  return undefined;
}

/** Reads a service's endpoint setting; `what` says what it names, for the problem. */
export type EndpointReader = (name: string, service: ServiceName, sandboxValue: string, what: string) => string;

/** An endpoint: the sandbox's by default there, required elsewhere when the service is used, https outside sandbox mode. */
export function endpointReader({ text, problems }: SettingReader, sandbox: boolean, services: readonly ServiceName[]): EndpointReader {
  return (name, service, sandboxValue, what) => {
    const value = text(name, sandbox ? sandboxValue : '');
    if (!value && services.includes(service)) problems.push(`${name} is required when DSR_SERVICES includes ${service}: ${what}.`);
    const problem = value && !sandbox ? serviceUrlProblem(value) : undefined;
    if (problem) problems.push(`${name} ${problem}: ${what}.`);
    return value;
  };
}
