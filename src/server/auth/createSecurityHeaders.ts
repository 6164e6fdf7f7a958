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
 */
export function createSecurityHeaders(options: { allowEval?: boolean } = {}): MiddlewareHandler {
  return secureHeaders({
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
}
