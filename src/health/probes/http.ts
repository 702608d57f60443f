import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CheckTarget, CheckVerdict } from '../../domain/index.js';
import { describeFailure, type ProbeContext } from './context.js';

type HttpTarget = Extract<CheckTarget, { kind: 'http' | 'https' }>;

/** How much of a body is read to look for `body_contains` and to quote in the output. */
const MAX_BODY_BYTES = 64 * 1024;
const QUOTED_BODY = 512;

/** Reads up to MAX_BODY_BYTES of the answer, then lets the rest go. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      if (size >= MAX_BODY_BYTES) return;
      chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
      size += chunk.length;
      if (size >= MAX_BODY_BYTES) {
        response.destroy();
        done();
      }
    });
    response.once('end', done);
    response.once('error', done);
    response.once('close', done);
  });
}

function verdictOf(target: HttpTarget, status: number, body: string): CheckVerdict {
  const statusOk = target.expectStatus === undefined ? status >= 200 && status < 300 : status === target.expectStatus;
  return statusOk && (target.bodyContains === undefined || body.includes(target.bodyContains)) ? 'pass' : 'fail';
}

function describe(target: HttpTarget, response: IncomingMessage, body: string, verdict: CheckVerdict): string {
  const status = `${String(response.statusCode ?? 0)} ${response.statusMessage ?? ''}`.trim();
  const lines = [`HTTP GET ${target.url}: ${status}`];
  if (target.expectStatus !== undefined && response.statusCode !== target.expectStatus) lines.push(`expected ${target.expectStatus}`);
  if (target.bodyContains !== undefined && !body.includes(target.bodyContains)) lines.push(`body lacks ${JSON.stringify(target.bodyContains)}`);
  if (verdict === 'fail' && body !== '') lines.push(`body: ${body.slice(0, QUOTED_BODY)}`);
  return lines.join('; ');
}

/** GET the URL (no redirects followed): 2xx, or exactly `expect_status`, and the body holds `body_contains`. */
export function probeHttp(target: HttpTarget, ctx: ProbeContext): Promise<{ verdict: CheckVerdict; output: string }> {
  return new Promise((resolve) => {
    const send = target.kind === 'https' ? httpsRequest : httpRequest;
    // A fresh connection each time (no keep-alive pool): a probe sees a listener that went away.
    const req = send(target.url, {
      method: 'GET',
      agent: false,
      signal: ctx.signal,
      headers: { 'user-agent': ctx.userAgent, accept: 'text/plain, application/json, */*' },
      ...(target.ca === undefined ? {} : { ca: [target.ca] }),
    });
    req.once('response', (response) => {
      void readBody(response).then((body) => {
        const verdict = verdictOf(target, response.statusCode ?? 0, body);
        resolve({ verdict, output: describe(target, response, body, verdict) });
      });
    });
    req.once('error', (error) => resolve({ verdict: 'fail', output: `HTTP GET ${target.url}: ${describeFailure(error, ctx)}` }));
    req.end();
  });
}
