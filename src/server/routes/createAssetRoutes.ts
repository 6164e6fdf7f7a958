import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { NotFoundError } from '../errors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OWN_ASSETS = join(HERE, '..', 'assets');

/** The folder of an installed package: the nearest node_modules/<name> up from this file. */
function packageDir(name: string): string {
  for (let dir = HERE; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} is not installed (needed for /assets)`);
  }
}

interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

function asset(name: string, body: string | Uint8Array): Asset {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const ext = name.slice(name.lastIndexOf('.') + 1);
  return { body: bytes, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}"` };
}

/** Every file /assets serves, read once: a fixed list, so no path from the URL touches the disk. */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of ['app.css', 'dashboard.js', 'refresh.js']) assets.set(name, asset(name, readFileSync(join(OWN_ASSETS, name))));
  const vendor: [string, string, string][] = [
    ['vendor/vega.min.js', 'vega', 'build/vega.min.js'],
    ['vendor/vega-lite.min.js', 'vega-lite', 'build/vega-lite.min.js'],
    ['vendor/vega-embed.min.js', 'vega-embed', 'build/vega-embed.min.js'],
  ];
  for (const [name, pkg, file] of vendor) assets.set(name, asset(name, readFileSync(join(packageDir(pkg), file))));
  return assets;
}

/** The scripts a chart page loads, in order (each deferred: they run in document order). */
export const CHART_SCRIPTS = [
  '/assets/vendor/vega.min.js',
  '/assets/vendor/vega-lite.min.js',
  '/assets/vendor/vega-embed.min.js',
  '/assets/dashboard.js',
];

/** `GET /assets/<name>`: the stylesheet, the dashboard and refresh scripts and the vega builds; public, cached, ETag. */
let loaded: Map<string, Asset> | undefined;

export function createAssetRoutes(assets: Map<string, Asset> = (loaded ??= loadAssets())): Hono {
  const app = new Hono();
  app.get('/*', (c) => {
    const name = c.req.path.replace(/^\/assets\//, '');
    const found = assets.get(name);
    if (!found) throw new NotFoundError(`no asset ${name}`);
    const headers = { 'Content-Type': found.type, ETag: found.etag, 'Cache-Control': 'public, max-age=3600' };
    if (c.req.header('if-none-match') === found.etag) return c.body(null, 304, headers);
    return c.body(found.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}
