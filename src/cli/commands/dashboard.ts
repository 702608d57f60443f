/**
 * `registry ui` (alias `dashboard`): a link that signs a browser into the web dashboard. A browser
 * never holds the loopback role (issue 11), so the CLI uses its own role (loopback admin, or its
 * token) to mint a short-lived read token and prints `https://<server>/ui/#token=…`. The token
 * rides in the URL fragment, which browsers never send to a server; the page takes it out of the
 * address bar and presents it in an `authenticate` frame.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { globalFlags, withClient } from '../connection.js';
import { lifetimeArgument, numberFlag, type OptionBag } from '../flags.js';
import { formatTime } from '../format.js';
import { type CliIo, println } from '../io.js';
import { printAnswer } from '../output.js';

/** How long a login link works, and the session it opens (kubectl create token's default). */
export const DEFAULT_DASHBOARD_TTL_SECONDS = 3600;

/** The dashboard's address on the server a client URL names: wss → https, ws → http. */
export function dashboardUrl(clientUrl: string, token: string): string {
  const url = new URL(clientUrl);
  const scheme = url.protocol === 'ws:' ? 'http' : 'https';
  return `${scheme}://${url.host}/ui/#token=${encodeURIComponent(token)}`;
}

export function addDashboardCommand(program: Command, io: CliIo): void {
  program
    .command('ui')
    .alias('dashboard')
    .description('print a link that signs a browser into the web dashboard with a short-lived read token (needs the admin role)')
    .option('--ttl <duration>', `how long the link and its session last (seconds, or "30m", "8h"; default ${DEFAULT_DASHBOARD_TTL_SECONDS / 3600}h)`, lifetimeArgument)
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const ttl = numberFlag(options, 'ttl') ?? DEFAULT_DASHBOARD_TTL_SECONDS;
      const name = `dashboard-${randomBytes(4).toString('hex')}`;
      const { created, url } = await withClient(flags, io, async (client) => {
        const answer = await client.call('token_create', { name, role: 'read', ttl });
        return { created: answer, url: dashboardUrl(client.url, answer.token) };
      });
      const expiresAt = created.expires_at ?? created.created_at + ttl;
      if (flags.output !== 'table') {
        printAnswer(io, flags.output, { url, token_name: created.name, role: created.role, expires_at: expiresAt }, () => url);
        return;
      }
      // The link alone on stdout, so `xdg-open "$(registry ui)"` works; the notice on stderr.
      println(io.stderr, `open this link in a browser; it signs in as '${created.name}' (read) until ${formatTime(expiresAt * 1000) ?? ''} (revoke sooner with: registry token revoke ${created.name}):`);
      println(io.stdout, url);
    });
}
