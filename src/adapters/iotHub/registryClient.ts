import type { ClientRequest } from 'node:http';
import type { TokenCredential } from '@azure/core-auth';
import { ConnectionString, Registry, SharedAccessSignature, versionQueryString } from 'azure-iothub';
import { Http, type HttpCallback, type HttpMethod } from 'azure-iothub/dist/common-http/http';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import { version as sdkVersion } from 'azure-iothub/package.json';

/** The Entra scope of IoT Hub's data plane (what `Registry.fromTokenCredential` asks for). */
export const IOT_HUB_TOKEN_SCOPE = 'https://iothubs.azure.net/.default';

/** How to reach one hub: where to connect, and a credential or a service connection string. */
export interface RegistryConnection {
  /** `host` or `host:port`. */
  endpoint: string;
  credential?: TokenCredential;
  /** `HostName=...;SharedAccessKeyName=...;SharedAccessKey=...`; the SAS is signed for its HostName. */
  connectionString?: string;
}

/** The SDK's registry and its REST client, for the one call the registry cannot make (delete by etag). */
export interface RegistryClient {
  readonly registry: Registry;
  readonly rest: RestApiClient;
}

/**
 * Builds an azure-iothub `Registry` exactly as `Registry.fromTokenCredential` /
 * `fromConnectionString` do (same config, same scope, same SAS renewal, same error mapping), with
 * one difference: a port. The SDK passes its host name to `https.request` as `host`, where Node
 * does not read a port (`127.0.0.1:4050` fails with ENOTFOUND), so requests go through an `Http`
 * that adds the endpoint's port. Against Azure the endpoint is the hub's host name and the port
 * is the default 443. TLS is Node's default (the SDK's own keep-alive agent), so a sandbox
 * certificate is trusted through NODE_EXTRA_CA_CERTS.
 */
export function createRegistryClient(connection: RegistryConnection): RegistryClient {
  const { host, port } = splitEndpoint(connection.endpoint);
  const config = connection.credential
    ? { host, tokenCredential: connection.credential, tokenScope: IOT_HUB_TOKEN_SCOPE }
    : { host, sharedAccessSignature: connectionStringSignature(connection.connectionString) };
  const rest = new RestApiClient(config, `azure-iothub/${sdkVersion}`, new EndpointHttp(port));
  // The Registry checks the config; the REST client given to it makes every request.
  const registry = new Registry(config, rest);
  return { registry, rest };
}

/**
 * `DELETE /devices/{id}` with `If-Match: "<etag>"`. `Registry.delete` always sends `*`, which would
 * delete a device changed since it was read; this sends the etag read, through the same REST
 * client (auth, api-version, error mapping).
 */
export function deleteDeviceIfMatch(rest: RestApiClient, deviceId: string, etag: string): Promise<void> {
  const path = `/devices/${encodeURIComponent(deviceId)}${versionQueryString()}`;
  const quoted = etag.startsWith('"') ? etag : `"${etag}"`;
  return new Promise((resolve, reject) => {
    rest.executeApiCall('DELETE', path, { 'If-Match': quoted }, null, (error) => (error ? reject(error) : resolve()));
  });
}

function connectionStringSignature(connectionString: string | undefined): ReturnType<typeof SharedAccessSignature.create> {
  if (!connectionString) throw new Error('An IoT Hub connection needs a credential or a connection string');
  const parsed = ConnectionString.parse(connectionString);
  if (!parsed.HostName || !parsed.SharedAccessKeyName || !parsed.SharedAccessKey) {
    throw new Error('The IoT Hub connection string needs HostName, SharedAccessKeyName and SharedAccessKey');
  }
  // As fromConnectionString: the REST client extends it to an hour ahead before every request.
  return SharedAccessSignature.create(parsed.HostName, parsed.SharedAccessKeyName, parsed.SharedAccessKey, Date.now());
}

function splitEndpoint(endpoint: string): { host: string; port: number | undefined } {
  const match = /^([^:/\s]+)(?::(\d{1,5}))?$/.exec(endpoint.trim());
  if (!match) throw new Error("The IoT Hub endpoint must be 'host' or 'host:port', without scheme or path");
  return { host: match[1], port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** The SDK's HTTP request builder with a fixed port added to every request. */
class EndpointHttp extends Http {
  constructor(private readonly port: number | undefined) {
    super();
  }

  override buildRequest(
    method: HttpMethod,
    path: string,
    httpHeaders: { [key: string]: string | string[] | number },
    host: string | { socketPath: string },
    options: unknown,
    done?: HttpCallback,
  ): ClientRequest {
    if (this.port === undefined || typeof options !== 'function') {
      return super.buildRequest(method, path, httpHeaders, host, options as HttpCallback, done);
    }
    return super.buildRequest(method, path, httpHeaders, host, { port: this.port }, options as HttpCallback);
  }
}
