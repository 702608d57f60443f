/**
 * The frames the load generators send, as text built from templates: the same bytes go to the
 * registry and to the echo ceiling, and building them costs the generator as little as possible.
 */
import { seededName } from '../lib/names.js';

export type Workload =
  /** Durable upserts among `names` seeded names; the port changes every time, so each is a real update. */
  | { readonly kind: 'register'; readonly names: number }
  /** `get_service` of a random seeded name; `stale` reads without waiting for other servers' commits. */
  | { readonly kind: 'get'; readonly names: number; readonly stale?: boolean }
  /** `resolve` of a random seeded name; `param` is the name of the op's service field. */
  | { readonly kind: 'resolve'; readonly names: number; readonly param: string; readonly stale?: boolean };

/** The `consistency` param of a read, when it is not the default. */
const consistencyOf = (workload: { readonly stale?: boolean }): string => (workload.stale === true ? ',"consistency":"stale"' : '');

/** Returns a function making the i-th frame of connection `connection`. */
export function frameMaker(workload: Workload, connection: number): (id: number) => string {
  switch (workload.kind) {
    case 'register': {
      let k = (connection * 7_919) % workload.names;
      return (id) => {
        k = (k + 1) % workload.names;
        return registerFrame(id, seededName(k), 1_024 + (id % 60_000), `bench service ${k}`);
      };
    }
    case 'get': {
      const extra = consistencyOf(workload);
      return (id) => `{"id":"${id}","type":"request","action":"get_service","params":{"name":"${seededName(randomBelow(workload.names))}"${extra}}}`;
    }
    case 'resolve': {
      const extra = consistencyOf(workload);
      return (id) => `{"id":"${id}","type":"request","action":"resolve","params":{"${workload.param}":"${seededName(randomBelow(workload.names))}"${extra}}}`;
    }
    default: {
      const never: never = workload;
      return never;
    }
  }
}

export function registerFrame(id: number, name: string, port: number, description: string, metadata?: Readonly<Record<string, string>>): string {
  const meta = metadata === undefined ? '' : `,"metadata":${JSON.stringify(metadata)}`;
  return `{"id":"${id}","type":"request","action":"register","params":{"name":"${name}","host":"10.9.8.7","port":${port},"protocol":"wss","description":"${description}","ttl":86400${meta}}}`;
}

export const listFrame = (id: number): string => `{"id":"${id}","type":"request","action":"list_services","params":{}}`;

/** The first page of `limit` services of a paged listing. */
export const firstPageFrame = (id: number, limit: number): string => `{"id":"${id}","type":"request","action":"list_services","params":{"limit":${limit}}}`;

export const randomBelow = (n: number): number => Math.floor(Math.random() * n);

/** The error of an action-envelope response, or undefined when it succeeded. */
export function responseError(text: string): string | undefined {
  const frame: unknown = JSON.parse(text);
  if (typeof frame !== 'object' || frame === null) return `not an object: ${text.slice(0, 200)}`;
  if (!('error' in frame)) return undefined;
  return JSON.stringify(frame.error).slice(0, 300);
}
