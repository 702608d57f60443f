/**
 * A catalogue of malformed frames in the three dialects (README "Wire protocol"), each with the error the
 * server must answer. `malformedFrames()` yields them in cycles, endlessly, with fresh ids.
 *
 * Each cycle holds one block per dialect, in this order:
 *  1. frames the dialect reads but whose call is wrong (bad params, unknown method);
 *  2. frames no dialect can read (not JSON, not an object, binary, sometimes a 2 MB frame):
 *     they are answered in the dialect of the block, the one the connection used last;
 *  3. frames in the dialect's envelope that the envelope itself rejects.
 * Unreadable frames always follow a frame with a readable envelope, so "the dialect the
 * connection last used" has one meaning whichever way it is read.
 */

export type Speaks = 'jsonrpc' | 'envelope' | 'hub';

/** The error codes a malformed frame can earn, with their documented JSON-RPC numbers (§3b). */
export const jsonRpcNumbers = {
  parse_error: -32700,
  invalid_frame: -32600,
  frame_too_large: -32600,
  unknown_operation: -32601,
  invalid_params: -32602,
} as const;
export type MalformedCode = keyof typeof jsonRpcNumbers;

export interface BadFrame {
  readonly label: string;
  readonly data: string | Buffer;
  /** The dialect the frame speaks; undefined when no dialect can read it. */
  readonly speaks?: Speaks;
  readonly code: MalformedCode;
  /** The id the answer carries: null when none can be read (the envelope dialect sends ""). */
  readonly id: string | number | null;
  /** A hub call that reaches the hub: answered as a stream (id, error item, done). */
  readonly stream?: boolean;
  /** Names the error message must contain. */
  readonly fields?: readonly string[];
}

/** The size of the oversized frame: twice the server's 1 MiB default limit. */
export const BIG_FRAME_BYTES = 2 * 1024 * 1024;

const INF = '__INFINITY__';
/** JSON text with every INF placeholder written as 1e400, which JSON.parse reads as Infinity. */
const json = (value: unknown): string => JSON.stringify(value).replaceAll(`"${INF}"`, '1e400');

const good = { name: 'svc-a', host: '10.0.0.9', port: 4444 } as const;

/** Register params that are wrong in one way, and the field the message must name. */
const badRegisterParams: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['port as a string', json({ ...good, port: 'x' }), ['port']],
  ['port 70000', json({ ...good, port: 70_000 }), ['port']],
  ['port -1', json({ ...good, port: -1 }), ['port']],
  ['port 0', json({ ...good, port: 0 }), ['port']],
  ['port 1.5', json({ ...good, port: 1.5 }), ['port']],
  ['port 1e400', json({ ...good, port: INF }), ['port']],
  ['an unknown field', json({ ...good, colour: 'blue' }), ['colour']],
  ['name as a number', json({ ...good, name: 42 }), ['name']],
  ['a name with a space', json({ ...good, name: 'bad name' }), ['name']],
  ['a 200-character name', json({ ...good, name: 'a'.repeat(200) }), ['name']],
  ['no fields', json({}), ['name', 'host', 'port']],
  ['ttl 0', json({ ...good, ttl: 0 }), ['ttl']],
  ['ttl 1e400', json({ ...good, ttl: INF }), ['ttl']],
  ['metadata with a number value', json({ ...good, metadata: { k: 1 } }), ['metadata']],
  ['tags as a string', json({ ...good, tags: 'x' }), ['tags']],
  ['a __proto__ field', `{"__proto__":{"x":1},"name":"svc-a","host":"h","port":1}`, ['__proto__']],
];

/** Frames no dialect can read: answered in the connection's last dialect. */
function unreadable(big: boolean): BadFrame[] {
  const frames: BadFrame[] = [
    { label: 'plain text', data: 'not json', code: 'parse_error', id: null },
    { label: 'truncated JSON', data: '{"jsonrpc":"2.0","id":1,', code: 'parse_error', id: null },
    { label: 'an empty frame', data: '', code: 'parse_error', id: null },
    { label: 'whitespace', data: '   \n', code: 'parse_error', id: null },
    { label: 'single quotes', data: "{'id':'q'}", code: 'parse_error', id: null },
    { label: 'NaN', data: 'NaN', code: 'parse_error', id: null },
    { label: 'an empty array', data: '[]', code: 'invalid_frame', id: null },
    { label: 'a batch', data: '[{"jsonrpc":"2.0","id":1,"method":"registry.list"}]', code: 'invalid_frame', id: null },
    { label: 'null', data: 'null', code: 'invalid_frame', id: null },
    { label: 'a number', data: '42', code: 'invalid_frame', id: null },
    { label: 'a string', data: '"text"', code: 'invalid_frame', id: null },
    { label: 'true', data: 'true', code: 'invalid_frame', id: null },
    { label: 'an empty object', data: '{}', code: 'invalid_frame', id: null },
    { label: 'an object in no dialect', data: '{"foo":"bar"}', code: 'invalid_frame', id: null },
    { label: 'an object in no dialect with a string id', data: '{"id":"x9","foo":1}', code: 'invalid_frame', id: 'x9' },
    { label: 'an object in no dialect with a number id', data: '{"id":7,"params":{}}', code: 'invalid_frame', id: 7 },
    { label: 'a binary frame', data: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"registry.list"}'), code: 'invalid_frame', id: null },
  ];
  if (big) frames.push({ label: 'a 2 MB frame', data: bigFrame(), code: 'frame_too_large', id: null });
  return frames;
}

let bigText: string | undefined;
/** A well-formed JSON-RPC register padded to BIG_FRAME_BYTES: the size alone makes it bad. */
function bigFrame(): string {
  if (bigText === undefined) {
    const head = '{"jsonrpc":"2.0","id":99,"method":"registry.register","params":{"name":"big","host":"h","port":1,"description":"';
    const tail = '"}}';
    bigText = head + 'x'.repeat(BIG_FRAME_BYTES - head.length - tail.length) + tail;
  }
  return bigText;
}

function jsonRpcBlock(next: () => number, big: boolean): BadFrame[] {
  const frame = (id: number, method: string, params: string) => `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${params}}`;
  const call = (label: string, method: string, params: string, code: MalformedCode, fields?: readonly string[]): BadFrame => {
    const id = next();
    return { label: `jsonrpc ${method} with ${label}`, data: frame(id, method, params), speaks: 'jsonrpc', code, id, ...(fields ? { fields } : {}) };
  };
  const envelope = (label: string, text: (id: number) => string, readableId = true): BadFrame => {
    const id = next();
    return { label: `jsonrpc ${label}`, data: text(id), speaks: 'jsonrpc', code: 'invalid_frame', id: readableId ? id : null };
  };
  return [
    ...badRegisterParams.map(([label, params, fields]) => call(label, 'registry.register', params, 'invalid_params', fields)),
    call('name as a number', 'registry.get', json({ name: 5 }), 'invalid_params', ['name']),
    call('no name', 'registry.ping', json({}), 'invalid_params', ['name']),
    call('port as a string', 'registry.update', json({ name: 'svc-a', port: 'x' }), 'invalid_params', ['port']),
    call('active_only as a string', 'registry.list', json({ active_only: 'yes' }), 'invalid_params', ['active_only']),
    call('active_only 1e400', 'registry.list', json({ active_only: INF }), 'invalid_params', ['active_only']),
    call('a __proto__ field', 'registry.list', '{"__proto__":{"x":1}}', 'invalid_params', ['__proto__']),
    call('params as an array', 'registry.register', '["svc-a","h",1]', 'invalid_params'),
    call('empty params', 'registry.teleport', json({}), 'unknown_operation', ['registry.teleport']),
    ...unreadable(big),
    envelope('without a method', (id) => `{"jsonrpc":"2.0","id":${id}}`),
    envelope('with jsonrpc "1.0"', (id) => `{"jsonrpc":"1.0","id":${id},"method":"registry.list"}`),
    envelope('with jsonrpc as a number', (id) => `{"jsonrpc":2,"id":${id},"method":"registry.list"}`),
    envelope('with an object id', () => `{"jsonrpc":"2.0","id":{"a":1},"method":"registry.list"}`, false),
    envelope('with an array id', () => `{"jsonrpc":"2.0","id":[1],"method":"registry.list"}`, false),
    envelope('with an empty method', (id) => `{"jsonrpc":"2.0","id":${id},"method":""}`),
    envelope('with a number method', (id) => `{"jsonrpc":"2.0","id":${id},"method":7}`),
    envelope('with string params', (id) => frame(id, 'registry.register', '"x"')),
    envelope('with number params', (id) => frame(id, 'registry.list', '5')),
  ];
}

function envelopeBlock(next: () => number, big: boolean): BadFrame[] {
  const call = (label: string, action: string, params: string, code: MalformedCode, fields?: readonly string[]): BadFrame => {
    const id = `e${next()}`;
    const data = `{"id":"${id}","type":"request","action":"${action}","params":${params}}`;
    return { label: `envelope ${action} with ${label}`, data, speaks: 'envelope', code, id, ...(fields ? { fields } : {}) };
  };
  const envelope = (label: string, text: (id: string) => string, readableId = true): BadFrame => {
    const id = `e${next()}`;
    return { label: `envelope ${label}`, data: text(id), speaks: 'envelope', code: 'invalid_frame', id: readableId ? id : null };
  };
  const numericId = next();
  return [
    ...badRegisterParams.map(([label, params, fields]) => call(label, 'register', params, 'invalid_params', fields)),
    call('name as a number', 'get_service', json({ name: 5 }), 'invalid_params', ['name']),
    call('no name', 'get_service', json({}), 'invalid_params', ['name']),
    call('an empty name', 'deregister', json({ name: '' }), 'invalid_params', ['name']),
    call('active_only as a string', 'list_services', json({ active_only: 'yes' }), 'invalid_params', ['active_only']),
    call('a __proto__ field', 'list_services', '{"__proto__":{"x":1}}', 'invalid_params', ['__proto__']),
    call('empty params', 'teleport', json({}), 'unknown_operation', ['teleport']),
    {
      label: 'envelope register with a number id and port 70000',
      data: `{"id":${numericId},"type":"request","action":"register","params":${json({ ...good, port: 70_000 })}}`,
      speaks: 'envelope',
      code: 'invalid_params',
      id: numericId,
      fields: ['port'],
    },
    ...unreadable(big),
    envelope('without an action', (id) => `{"id":"${id}","type":"request"}`),
    envelope('without an id', () => `{"type":"request","action":"list_services"}`, false),
    envelope('with a boolean id', () => `{"id":true,"type":"request","action":"list_services"}`, false),
    envelope('with an empty action', (id) => `{"id":"${id}","type":"request","action":""}`),
    envelope('with a number action', (id) => `{"id":"${id}","type":"request","action":7}`),
    envelope('with type "query"', (id) => `{"id":"${id}","type":"query","action":"list_services"}`),
    envelope('with array params', (id) => `{"id":"${id}","type":"request","action":"list_services","params":[1]}`),
    envelope('with string params', (id) => `{"id":"${id}","type":"request","action":"list_services","params":"x"}`),
  ];
}

function hubBlock(next: () => number, big: boolean): BadFrame[] {
  const hub = (id: number | string, params: string) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"registry-hub.call","params":${params}}`;
  const inner = (label: string, method: string, params: string, code: MalformedCode, fields?: readonly string[]): BadFrame => {
    const id = next();
    const data = hub(id, `{"method":"${method}","params":${params}}`);
    return { label: `hub ${method} with ${label}`, data, speaks: 'hub', code, id, stream: true, ...(fields ? { fields } : {}) };
  };
  const outer = (label: string, text: (id: number) => string, code: MalformedCode, readableId = true): BadFrame => {
    const id = next();
    return { label: `hub call ${label}`, data: text(id), speaks: 'hub', code, id: readableId ? id : null };
  };
  return [
    ...badRegisterParams.map(([label, params, fields]) => inner(label, 'registry.register', params, 'invalid_params', fields)),
    inner('params as an array', 'registry.register', '[1]', 'invalid_params'),
    inner('params as a string', 'registry.register', '"x"', 'invalid_params'),
    inner('active_only as a string', 'registry.list', json({ active_only: 'yes' }), 'invalid_params', ['active_only']),
    inner('name as a number', 'registry.get', json({ name: 5 }), 'invalid_params', ['name']),
    inner('a __proto__ field', 'registry.list', '{"__proto__":{"namespace":"nope"}}', 'invalid_params', ['__proto__']),
    inner('empty params', 'registry.teleport', json({}), 'unknown_operation', ['registry.teleport']),
    inner('an envelope action name', 'list_services', json({}), 'unknown_operation', ['list_services']),
    ...unreadable(big),
    outer('without params', (id) => `{"jsonrpc":"2.0","id":${id},"method":"registry-hub.call"}`, 'invalid_params'),
    outer('with empty params', (id) => hub(id, '{}'), 'invalid_params'),
    outer('with a number inner method', (id) => hub(id, '{"method":5}'), 'invalid_params'),
    outer('with array params', (id) => hub(id, '["registry.list"]'), 'invalid_params'),
    outer('with string params', (id) => hub(id, '"registry.list"'), 'invalid_frame'),
    outer('with an object id', () => `{"jsonrpc":"2.0","id":{},"method":"registry-hub.call","params":{"method":"_info"}}`, 'invalid_frame', false),
    outer('with jsonrpc "1.0"', (id) => `{"jsonrpc":"1.0","id":${id},"method":"registry-hub.call","params":{"method":"_info"}}`, 'invalid_frame'),
  ];
}

/** Malformed frames in cycles (JSON-RPC, envelope, hub blocks), forever; one 2 MB frame per cycle. */
export function* malformedFrames(): Generator<BadFrame> {
  let counter = 1000;
  const next = (): number => ++counter;
  for (let cycle = 0; ; cycle++) {
    yield* jsonRpcBlock(next, cycle % 3 === 0);
    yield* envelopeBlock(next, cycle % 3 === 2);
    yield* hubBlock(next, cycle % 3 === 1);
  }
}
