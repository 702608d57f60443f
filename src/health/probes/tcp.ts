import { connect } from 'node:net';
import type { CheckTarget, CheckVerdict } from '../../domain/index.js';
import { describeFailure, type ProbeContext } from './context.js';

type TcpTarget = Extract<CheckTarget, { kind: 'tcp' }>;

/** A TCP connect: passing when something accepts the connection. */
export function probeTcp(target: TcpTarget, ctx: ProbeContext): Promise<{ verdict: CheckVerdict; output: string }> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, signal: ctx.signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ verdict: 'pass', output: `TCP connect ${where}: connected` });
    });
    socket.once('error', (error) => {
      socket.destroy();
      resolve({ verdict: 'fail', output: `TCP connect ${where}: ${describeFailure(error, ctx)}` });
    });
  });
}
