/**
 * The web dashboard at `/ui/` (issue 17): the files `npm run build:ui` writes (ui/ → dist/ui/,
 * DEFAULT_DASHBOARD_DIR), served from memory under a strict Content-Security-Policy
 * (dashboard-policy.ts). The page holds no data of its own:
 * it reads everything over the WebSocket endpoint with a token, so the files are served to anyone.
 * Only the names the build folder held at the first request are served; a request path is never
 * joined onto a file path.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { RegistryError } from '../domain/index.js';
import { DASHBOARD_HEADERS } from './dashboard-policy.js';
import { type HttpRoute, sendError } from './http-router.js';
import type { Logger } from './log.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

type Assets = ReadonlyMap<string, { readonly type: string; readonly body: Buffer }>;

/** The servable files of the build folder (not its subfolders), by name. */
async function loadAssets(dir: string): Promise<Assets> {
  const entries = await readdir(dir, { withFileTypes: true });
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const entry of entries) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (entry.isFile() && type !== undefined) assets.set(entry.name, { type, body: await readFile(join(dir, entry.name)) });
  }
  if (!assets.has('index.html')) throw new Error(`${dir} holds no index.html`);
  return assets;
}

function sendAsset(res: ServerResponse, asset: { readonly type: string; readonly body: Buffer }): void {
  res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length }).end(asset.body);
}

/** `/ui/…`: the dashboard's files; `/ui/` is its page. */
export function dashboardRoute(dir: string, logger: Logger): HttpRoute {
  let loaded: Promise<Assets> | undefined;
  const assets = (): Promise<Assets> => {
    loaded ??= loadAssets(dir).catch((error: unknown) => {
      loaded = undefined; // a build made later is picked up by the next request
      throw error;
    });
    return loaded;
  };
  return {
    path: '/ui/',
    prefix: true,
    headers: DASHBOARD_HEADERS,
    handle: async (_req, res, url) => {
      let files: Assets;
      try {
        files = await assets();
      } catch (err) {
        logger.warn({ err, dir }, 'the dashboard is not built');
        const why = `the dashboard is not built: run npm run build:ui (it writes ${dir})`;
        return sendError(res, new RegistryError('unavailable', why));
      }
      const name = url.pathname === '/ui/' ? 'index.html' : url.pathname.slice('/ui/'.length);
      const asset = files.get(name);
      if (asset === undefined) {
        return sendError(res, new RegistryError('not_found', `no such file of the dashboard: ${name.slice(0, 128)}`, { details: { path: url.pathname.slice(0, 128) } }));
      }
      sendAsset(res, asset);
    },
  };
}
