import WebSocket, { type RawData } from 'ws';
import type { CheckTarget, CheckVerdict } from '../../domain/index.js';
import { describeFailure, type ProbeContext } from './context.js';

type WsTarget = Extract<CheckTarget, { kind: 'ws' | 'wss' }>;
type Outcome = { verdict: CheckVerdict; output: string };

const RPC_ID = 'registry-health';
const QUOTED = 512;

const textOf = (data: RawData): string =>
  (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');

/** A JSON-RPC answer to our request: well formed when it has `jsonrpc: "2.0"`, our id, and a result or an error. */
function readAnswer(text: string): Outcome | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { verdict: 'fail', output: `the answer is not JSON: ${text.slice(0, QUOTED)}` };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return { verdict: 'fail', output: `the answer is not a JSON object: ${text.slice(0, QUOTED)}` };
  const answer = frame as Record<string, unknown>;
  // Notifications (a hub's stream items) may come first: wait for the answer to our id.
  if (answer.id !== RPC_ID) return undefined;
  if (answer.jsonrpc !== '2.0') return { verdict: 'fail', output: `the answer is not JSON-RPC 2.0: ${text.slice(0, QUOTED)}` };
  if ('result' in answer) return { verdict: 'pass', output: `result ${JSON.stringify(answer.result)?.slice(0, QUOTED) ?? 'null'}` };
  if (typeof answer.error === 'object' && answer.error !== null) return { verdict: 'fail', output: `error ${JSON.stringify(answer.error).slice(0, QUOTED)}` };
  return { verdict: 'fail', output: `the answer has neither result nor error: ${text.slice(0, QUOTED)}` };
}

/**
 * The WebSocket handshake, then (with `rpc_method`) one JSON-RPC request whose answer must be a
 * well-formed result: how a Plexus hub is checked.
 */
export function probeWs(target: WsTarget, ctx: ProbeContext): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(target.url, {
      headers: { 'user-agent': ctx.userAgent },
      handshakeTimeout: ctx.timeoutMs,
      maxPayload: 1024 * 1024,
      ...(target.ca === undefined ? {} : { ca: [target.ca] }),
    });
    let settled = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', abort);
      socket.removeAllListeners('close');
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ verdict: outcome.verdict, output: `WebSocket ${target.url}: ${outcome.output}` });
    };
    const abort = (): void => finish({ verdict: 'fail', output: describeFailure(undefined, ctx) });
    ctx.signal.addEventListener('abort', abort, { once: true });
    socket.once('open', () => {
      if (target.rpcMethod === undefined) return finish({ verdict: 'pass', output: 'handshake completed' });
      const params = target.rpcParams === undefined ? {} : { params: target.rpcParams };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: RPC_ID, method: target.rpcMethod, ...params }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return finish({ verdict: 'fail', output: 'the answer is a binary frame' });
      const outcome = readAnswer(textOf(data));
      if (outcome !== undefined) finish(outcome);
    });
    socket.once('unexpected-response', (_request, response) => finish({ verdict: 'fail', output: `handshake refused with HTTP ${String(response.statusCode ?? 0)}` }));
    socket.once('error', (error) => finish({ verdict: 'fail', output: describeFailure(error, ctx) }));
    socket.once('close', (code) => finish({ verdict: 'fail', output: `closed (code ${code}) before it answered` }));
  });
}
