import * as signing from "../../scripts/sandbox/app-proxy";
import { TEST_API_SECRET } from "./services";

/**
 * App proxy signing (scripts/sandbox/app-proxy.ts, shared with the demo) with the tests' app
 * secret unless a test passes another one.
 */

export { APP_PROXY_PATH_PREFIX, appProxySignedString, tamperedUrl } from "../../scripts/sandbox/app-proxy";

export type AppProxySigning = Omit<signing.AppProxySigning, "secret"> & { secret?: string };

export function appProxySignature(params: Array<[string, string]>, secret: string = TEST_API_SECRET): string {
  return signing.appProxySignature(params, secret);
}

export function signedAppProxyQuery(input: AppProxySigning): string {
  return signing.signedAppProxyQuery({ ...input, secret: input.secret ?? TEST_API_SECRET });
}

export function appProxyUrl(appOrigin: string, path: string, input: AppProxySigning): string {
  return signing.appProxyUrl(appOrigin, path, { ...input, secret: input.secret ?? TEST_API_SECRET });
}
