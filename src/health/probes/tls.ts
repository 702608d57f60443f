import { connect } from 'node:tls';
import type { CheckTarget, CheckVerdict } from '../../domain/index.js';
import { describeFailure, type ProbeContext } from './context.js';

type TlsTarget = Extract<CheckTarget, { kind: 'tls' }>;

const DAY_MS = 86_400_000;

/** The certificate's validity against now: expired (or not yet valid) is critical, expiring within `warn_days` a warning. */
function judge(target: TlsTarget, validFrom: number, validTo: number, now: number): { verdict: CheckVerdict; what: string } {
  const expires = new Date(validTo).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (now < validFrom) return { verdict: 'fail', what: `not valid before ${new Date(validFrom).toISOString()}` };
  if (now >= validTo) return { verdict: 'fail', what: `expired ${expires}` };
  const days = Math.floor((validTo - now) / DAY_MS);
  const what = `expires ${expires} (in ${days} day${days === 1 ? '' : 's'})`;
  return { verdict: validTo - now < target.warnDays * DAY_MS ? 'warn' : 'pass', what };
}

/**
 * A TLS handshake to read the peer certificate's dates. Trust is reported, not required: the
 * check is about expiry (an untrusted certificate still has a date).
 */
export function probeTls(target: TlsTarget, ctx: ProbeContext, now: () => number): Promise<{ verdict: CheckVerdict; output: string }> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    const servername = target.serverName ?? (/^[\d.]+$|:/.test(target.host) ? undefined : target.host);
    const socket = connect({
      host: target.host,
      port: target.port,
      rejectUnauthorized: false,
      ...(servername === undefined ? {} : { servername }),
      ...(target.ca === undefined ? {} : { ca: [target.ca] }),
    });
    const finish = (verdict: CheckVerdict, output: string): void => {
      ctx.signal.removeEventListener('abort', abort);
      socket.destroy();
      resolve({ verdict, output: `TLS ${where}: ${output}` });
    };
    const abort = (): void => finish('fail', describeFailure(undefined, ctx));
    ctx.signal.addEventListener('abort', abort, { once: true });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (cert.valid_to === undefined) return finish('fail', 'no certificate presented');
      const { verdict, what } = judge(target, Date.parse(cert.valid_from), Date.parse(cert.valid_to), now());
      const subject = typeof cert.subject?.CN === 'string' ? cert.subject.CN : '(no CN)';
      const trust = socket.authorized ? 'trusted' : `not trusted: ${String(socket.authorizationError)}`;
      finish(verdict, `certificate ${subject} ${what}; ${trust}`);
    });
    socket.once('error', (error) => finish('fail', describeFailure(error, ctx)));
  });
}
