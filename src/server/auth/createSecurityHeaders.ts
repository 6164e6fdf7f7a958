import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Secure response headers (hono/secure-headers: nosniff, frame and referrer policies, COOP/CORP,
 * HSTS — ignored by browsers over plain http) and a Content-Security-Policy for pages that load
 * everything from this server:
 *
 * - script-src 'self': no inline scripts, no CDN. Checked in Chromium: vega-embed's default
 *   expression compiler evaluates strings ("violates … 'unsafe-eval'") and the chart fails, while
 *   `vegaEmbed(el, spec, { ast: true })` (vega-embed's bundled expression interpreter) renders the
 *   same spec, selections and tooltips included, with no violation. So pages must call vegaEmbed
 *   with `ast: true`; `allowEval` adds 'unsafe-eval' instead, for a page that cannot.
 * - style-src 'self' 'unsafe-inline': vega-embed injects its own <style> element and inline styles
 *   (refused otherwise, with console errors); inline styles cannot run code.
 * - img-src data: blob: for vega-embed's PNG/SVG export; everything else 'self' or 'none'.
 *
 * And `Cache-Control: no-store` on every answer that does not set its own caching.
 */
export function createSecurityHeaders(options: { allowEval?: boolean } = {}): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: options.allowEval ? ["'self'", "'unsafe-eval'"] : ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  });
  return async (c, next) => {
    await headers(c, next);
    // Pages and API answers hold what a role may see: a browser keeps none of them, so after
    // logging out on a shared computer, Back shows nothing. Static assets say their own caching.
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}
