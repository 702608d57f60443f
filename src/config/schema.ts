import { z } from 'zod';
import { hostSchema, roles, SERVICE_NAME_PATTERN } from '../domain/index.js';
import { nodeTable, nodeTables } from './nodes.js';
import { networkTable, networkTables } from './networks.js';
import { logLevels } from './types.js';
import { limitsTable } from './limits.js';
import { healthTable } from './health.js';
import { dnsTable } from './dns.js';
import { checkDefinitionList } from '../health/index.js';

/** The file as written (snake_case), every key optional: defaults are filled when layers merge. */

const nonEmpty = z.string().min(1);
const backendPort = z.number().int().min(1).max(65_535);
/** The server's own port may be 0: the OS picks one. */
export const serverPort = z.number().int().min(0).max(65_535);
export const logLevel = z.enum(logLevels);
const role = z.enum(roles);

export const backendName = z.string().regex(SERVICE_NAME_PATTERN, {
  error: "must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 128 characters)",
});

const serverTable = z.strictObject({
  host: hostSchema.optional(),
  port: serverPort.optional(),
  data_dir: nonEmpty.optional(),
  db_path: nonEmpty.optional(),
  auto_register: z.boolean().optional(),
  log_level: logLevel.optional(),
  insecure_loopback: z.boolean().optional(),
  max_frame_bytes: z.number().int().min(1024).max(1_073_741_824).optional(),
  host_id: z.string().min(1).max(253).optional(),
  topology_interval: z.number().int().min(1).max(86_400).optional(),
});

const tlsTable = z.strictObject({
  cert: nonEmpty.optional(),
  key: nonEmpty.optional(),
  /** More names for the certificate the server makes: DNS names and IP addresses. */
  names: z.array(hostSchema).max(256).optional(),
  /** A PEM file of CA certificates whose client certificates are trusted, beside the local CA's. */
  client_ca: nonEmpty.optional(),
});

/** A browser origin: http or https, a host and an optional port, nothing more; kept as `URL.origin` spells it. */
function isBrowserOrigin(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  const bare = url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  return (url.protocol === 'https:' || url.protocol === 'http:') && bare && !text.endsWith('#') && !text.endsWith('?');
}

const browserOrigin = z
  .string()
  .max(512)
  .refine(isBrowserOrigin, { error: 'must be an origin such as "https://dash.example:8443": http or https, a host, an optional port, no path' })
  .transform((text) => new URL(text).origin);

const authTable = z.strictObject({
  loopback_role: role.optional(),
  anonymous_role: role.optional(),
  allowed_origins: z.array(browserOrigin).max(64).optional(),
});

const storageTable = z.strictObject({
  url: nonEmpty.optional(),
  event_retention: z.number().int().min(1).optional(),
});

const backendTable = z.strictObject({
  name: backendName,
  host: hostSchema,
  port: backendPort,
  protocol: nonEmpty.optional(),
  description: z.string().optional(),
  namespace: z.string().optional(),
  ttl: z.number().int().min(1).max(86_400).optional(),
  /** `[[backend.check]]` tables: the same keys as `checks` on the wire. */
  check: checkDefinitionList.optional(),
});

/** Later issues define these; for now any array of tables passes. */
const looseTables = z.array(z.record(z.string(), z.unknown()));

export const fileSchema = z.strictObject({
  server: serverTable.optional(),
  tls: tlsTable.optional(),
  auth: authTable.optional(),
  storage: storageTable.optional(),
  limits: limitsTable.optional(),
  health: healthTable.optional(),
  dns: dnsTable.optional(),
  backend: z.array(backendTable).optional(),
  service: looseTables.optional(),
  network: networkTables.optional(),
  node: nodeTables.optional(),
});

export type ConfigFile = z.output<typeof fileSchema>;

/** The keys each table accepts, to list them when a key is unknown. */
export const knownKeys: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(fileSchema.shape),
  server: Object.keys(serverTable.shape),
  tls: Object.keys(tlsTable.shape),
  auth: Object.keys(authTable.shape),
  storage: Object.keys(storageTable.shape),
  limits: Object.keys(limitsTable.shape),
  health: Object.keys(healthTable.shape),
  dns: Object.keys(dnsTable.shape),
  backend: Object.keys(backendTable.shape),
  node: Object.keys(nodeTable.shape),
  network: Object.keys(networkTable.shape),
};
