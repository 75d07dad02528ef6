/**
 * Qualys platforms and their API gateways. A private cloud platform has its own host, so
 * a custom gateway URL is accepted beside the named platforms.
 */
import { AppError } from '../../db/errors.js';

/** Gateway host of each shared Qualys platform, as the vendor lists them. */
export const PLATFORM_GATEWAYS = {
  US1: 'gateway.qg1.apps.qualys.com',
  US2: 'gateway.qg2.apps.qualys.com',
  US3: 'gateway.qg3.apps.qualys.com',
  US4: 'gateway.qg4.apps.qualys.com',
  EU1: 'gateway.qg1.apps.qualys.eu',
  EU2: 'gateway.qg2.apps.qualys.eu',
  EU3: 'gateway.qg3.apps.qualys.it',
  IN1: 'gateway.qg1.apps.qualys.in',
  CA1: 'gateway.qg1.apps.qualys.ca',
  AE1: 'gateway.qg1.apps.qualys.ae',
  UK1: 'gateway.qg1.apps.qualys.co.uk',
  AU1: 'gateway.qg1.apps.qualys.com.au',
  KSA1: 'gateway.qg1.apps.qualysksa.com',
} as const;

export type Platform = keyof typeof PLATFORM_GATEWAYS;

export const PLATFORMS = Object.keys(PLATFORM_GATEWAYS) as Platform[];

export function isPlatform(value: string): value is Platform {
  return Object.hasOwn(PLATFORM_GATEWAYS, value);
}

/**
 * Returns the gateway base URL for a platform name or a custom URL. Exactly one of the two
 * must be given. A custom URL keeps its path prefix (for a gateway behind a reverse proxy)
 * and must use https, except on loopback, where the simulator and tests run.
 */
export function resolveGateway(selection: { platform?: string; gateway?: string }): URL {
  const { platform, gateway } = selection;
  if (platform !== undefined && gateway !== undefined) {
    throw new AppError('USAGE', 'Give either --platform or --gateway, not both.');
  }
  if (platform !== undefined) {
    const name = platform.trim().toUpperCase();
    if (!isPlatform(name)) {
      throw new AppError('USAGE', `Unknown platform "${platform}". Use one of ${PLATFORMS.join(', ')}, or --gateway URL for a private cloud.`);
    }
    return new URL(`https://${PLATFORM_GATEWAYS[name]}/`);
  }
  if (gateway === undefined || gateway.trim() === '') {
    throw new AppError('USAGE', `Missing gateway: give --platform (${PLATFORMS.join(', ')}) or --gateway URL.`);
  }
  return parseGatewayUrl(gateway.trim());
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseGatewayUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('USAGE', `Invalid --gateway URL "${text}". Give an absolute URL such as https://gateway.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('USAGE', `Invalid --gateway URL "${text}": use https://.`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new AppError('USAGE', `Refusing plain http for --gateway ${url.host}: credentials would cross the network unencrypted. Use https://.`);
  }
  if (url.username || url.password) {
    throw new AppError('USAGE', 'The --gateway URL must not contain credentials; pass --username and the password separately.');
  }
  if (url.search || url.hash) {
    throw new AppError('USAGE', `The --gateway URL "${text}" must not have a query or fragment.`);
  }
  // A trailing slash lets relative API paths resolve under any path prefix.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
