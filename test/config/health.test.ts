import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keysNeedingRestart } from '../../src/config/index.js';
import { parseText, refusalOf } from './support.js';

const parse = parseText;
const refusal = refusalOf;

describe('configuration - [health] and [[backend.check]]', () => {
  it('defaults to no scripts and 128 checks at once', () => {
    assert.deepEqual(parse('').health, { allowScripts: false, maxConcurrent: 128 });
    assert.deepEqual(parse('[health]\nallow_scripts = true\nmax_concurrent = 16\n').health, { allowScripts: true, maxConcurrent: 16 });
  });

  it('names [health] settings as needing a restart when a reload changes them', () => {
    assert.deepEqual(keysNeedingRestart(parse(''), parse('[health]\nallow_scripts = true\nmax_concurrent = 8\n')), ['health.allow_scripts', 'health.max_concurrent']);
  });

  it('reads [[backend.check]] tables into the backend with every default filled', () => {
    const text = ['[[backend]]', 'name = "hub"', 'host = "10.0.0.5"', 'port = 4444', '', '[[backend.check]]', 'name = "rpc"', 'kind = "ws"', 'url = "ws://10.0.0.5:4444"', 'rpc_method = "registry-hub.call"', 'rpc_params = { method = "_info" }', 'interval = "5s"', 'deregister_critical_after = "30s"', ''].join('\n');
    const [hub] = parse(text).backends;
    assert.deepEqual(hub?.checks, [
      {
        name: 'rpc',
        kind: 'ws',
        url: 'ws://10.0.0.5:4444',
        rpcMethod: 'registry-hub.call',
        rpcParams: { method: '_info' },
        intervalMs: 5_000,
        timeoutMs: 5_000,
        successBeforePassing: 1,
        failuresBeforeWarning: 3,
        failuresBeforeCritical: 3,
        deregisterCriticalAfterMs: 30_000,
        initialStatus: 'critical',
      },
    ]);
  });

  it('refuses a bad check with its path, line and reason', () => {
    const text = ['[[backend]]', 'name = "hub"', 'host = "10.0.0.5"', 'port = 4444', '', '[[backend.check]]', 'name = "http"', 'kind = "http"', 'url = "ftp://10.0.0.5/"', ''].join('\n');
    const error = refusal(text);
    assert.equal(error.issues[0]?.path, 'backend[0].check[0].url');
    assert.match(error.issues[0]?.message ?? '', /must start with http:\/\//);
    assert.equal(error.issues[0]?.line, 9);
    assert.match(refusal('[health]\nallow_script = true\n').reason, /allow_script/);
  });

  it('refuses a script check unless the same file allows scripts', () => {
    const backend = ['[[backend]]', 'name = "job"', 'host = "10.0.0.5"', 'port = 1', '', '[[backend.check]]', 'name = "run"', 'kind = "script"', 'command = ["/usr/local/bin/probe"]', ''].join('\n');
    const error = refusal(backend);
    assert.deepEqual([error.issues[0]?.path, error.issues[0]?.line], ['backend[0].check[0].kind', 8]);
    assert.match(error.issues[0]?.message ?? '', /allow_scripts = true/);
    assert.equal(parse(`[health]\nallow_scripts = true\n\n${backend}`).backends[0]?.checks?.[0]?.kind, 'script');
  });
});
