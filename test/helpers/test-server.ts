import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigEnv, type ConfigOverrides, loadConfig, type RegistryConfig } from '../../src/config/index.js';
import type { Clock } from '../../src/domain/index.js';
import { createLogger, type Logger, type RegistryServer, startServer, type StreamLimits } from '../../src/server/index.js';

export interface TestServer {
  readonly server: RegistryServer;
  readonly url: string;
  readonly caPem: string | undefined;
  readonly dataDir: string;
  readonly configPath: string;
  readonly config: RegistryConfig;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly flags?: ConfigOverrides;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** An existing folder to serve from (kept on close); a new temp folder otherwise. */
  readonly dataDir?: string;
  readonly streamLimits?: Partial<StreamLimits>;
  /** The configuration file's text (`[dns]`, `[health]`, …); an empty file otherwise. */
  readonly configText?: string;
  /** The environment the configuration is read with (`REGISTRY_BACKENDS`, …). @default {} */
  readonly env?: ConfigEnv;
  /** The built dashboard to serve at /ui/ (test/helpers/browser.ts builds one). */
  readonly dashboardDir?: string;
}

/** A real registry on 127.0.0.1 with an OS-picked port, its own data folder and config file path. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'registry-test-')));
  await chmod(dataDir, 0o755);
  const configPath = join(dataDir, 'backends.toml');
  if (options.configText !== undefined) await writeFile(configPath, options.configText);
  else await access(configPath).catch(() => writeFile(configPath, ''));
  const load = () =>
    loadConfig({ flags: { host: '127.0.0.1', port: 0, dataDir, configPath, ...options.flags }, env: options.env ?? {}, cwd: dataDir });
  const config = await load();
  const server = await startServer({
    config,
    reloadConfig: load,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.streamLimits ? { streamLimits: options.streamLimits } : {}),
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
  });
  return {
    server,
    url: server.url,
    caPem: server.caPem,
    dataDir,
    configPath,
    config,
    close: async () => {
      await server.close();
      if (owned) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
