/**
 * Backends given in the environment (the Plexus seed's "Env" source type):
 * `REGISTRY_BACKENDS="hub1=wss://10.0.0.5:4444,hub2=ws://hub2.lan:4444"`. Each entry is checked
 * as a `[[backend]]` of the file is (its name, its host, its port), and a bad one is an error that
 * names the variable, the entry's place and the reason.
 */
import { HOST_RULE, isHost } from '../domain/index.js';
import { ENV, envValue } from './layers.js';
import { backendName } from './schema.js';
import type { ConfigEnv, ConfigIssue, FileBackend } from './types.js';

/** `name=protocol://host:port`; an IPv6 host in brackets. Nothing else: no path, user or query. */
const ENTRY = /^([^=\s]*)=([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^:/?#@[\]]*):(\d{1,5})\/?$/;
const FORM = 'name=protocol://host:port, e.g. hub2=wss://10.0.0.5:4444';

export interface EnvBackends {
  readonly backends: readonly FileBackend[];
  readonly issues: readonly ConfigIssue[];
}

/** Why one entry is refused, or the backend it gives. */
function parseEntry(text: string): FileBackend | string {
  const match = ENTRY.exec(text);
  if (match === null) return `must be ${FORM}`;
  const [, name = '', protocol = '', rawHost = '', portText = ''] = match;
  const named = backendName.safeParse(name);
  if (!named.success) return `name ${JSON.stringify(name)} ${named.error.issues[0]?.message ?? 'is not a backend name'}`;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (!isHost(host) || (rawHost.startsWith('[') && !host.includes(':'))) return `host ${JSON.stringify(rawHost)} ${HOST_RULE} (an IPv6 address in brackets)`;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return `port ${portText} must be from 1 to 65535`;
  return { name, host, port, protocol: protocol.toLowerCase() };
}

/**
 * The backends of `REGISTRY_BACKENDS`: entries separated by commas (blank ones are skipped, so a
 * value may end with a comma or span lines), each named once.
 */
export function envBackends(env: ConfigEnv): EnvBackends {
  const value = envValue(env, ENV.backends);
  if (value === undefined) return { backends: [], issues: [] };
  const backends: FileBackend[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  value.split(',').forEach((raw, index) => {
    const text = raw.trim();
    if (text === '') return;
    const path = `${ENV.backends}[${index}]`;
    const parsed = parseEntry(text);
    if (typeof parsed === 'string') {
      issues.push({ source: 'env', path, message: `${JSON.stringify(text)}: ${parsed}` });
      return;
    }
    const first = seen.get(parsed.name);
    if (first !== undefined) {
      issues.push({ source: 'env', path, message: `duplicate backend name "${parsed.name}" (first given as ${ENV.backends}[${first}])` });
      return;
    }
    seen.set(parsed.name, index);
    backends.push(parsed);
  });
  return { backends, issues };
}
