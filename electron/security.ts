/**
 * Checks main applies to the renderer: the content security policy, which pages may
 * call the API and which URLs a window may load. URLs are compared after parsing,
 * never as substrings.
 */

/**
 * The policy of renderer/index.html, also sent as a response header where Electron allows.
 * The page's meta tag leaves out `frame-ancestors`, because browsers honour it only as a header.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * True when `senderUrl` is the app's own page: the same file URL as `rendererUrl`,
 * ignoring the fragment (the renderer keeps its screen there).
 */
export function isTrustedSenderUrl(senderUrl: string, rendererUrl: string): boolean {
  let sender: URL;
  let expected: URL;
  try {
    sender = new URL(senderUrl);
    expected = new URL(rendererUrl);
  } catch {
    return false;
  }
  return sender.protocol === 'file:' && expected.protocol === 'file:' && sender.host === expected.host && sender.pathname === expected.pathname;
}

/** Navigation is allowed only within the app's own page (fragment changes). */
export function isAllowedNavigation(targetUrl: string, rendererUrl: string): boolean {
  return isTrustedSenderUrl(targetUrl, rendererUrl);
}
