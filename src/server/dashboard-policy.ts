/**
 * Where the built dashboard is and the headers its answers carry: small and import-free, so the
 * server's door can name them without loading the HTTP routes.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:ui` writes the dashboard: `<package>/dist/ui/`, from src/server/ and from a compiled dist/server/ alike. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * Scripts, styles, images and connections from the server's own origin only ('self' covers its
 * wss:// too), nothing inline, no plugin, no frame around it, no form posted anywhere, and DOM
 * sinks that take HTML strings (innerHTML and the like) refused by the browser itself.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Every answer under /ui/, errors included. */
export const DASHBOARD_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': DASHBOARD_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), payment=()',
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
};
