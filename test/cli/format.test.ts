import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, exitCodeFor } from '../../src/cli/index.js';
import { formatAge, formatFields, formatTable, formatTime } from '../../src/cli/index.js';
import { formatYaml } from '../../src/cli/format.js';
import { parse as parseYaml } from 'yaml';
import { ConnectionClosedError, ConnectionFailedError, InvalidArgumentError, RequestTimeoutError } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';

describe('formatTable', () => {
  it('pads each column to its widest cell and leaves no trailing spaces', () => {
    const table = formatTable(['NAME', 'PORT', 'NOTE'], [['hub', 4444, undefined], ['a-long-name', 1, 'x']]);
    assert.equal(table, ['NAME         PORT  NOTE', 'hub          4444  -', 'a-long-name  1     x'].join('\n'));
  });

  it('prints only the header for no rows', () => {
    assert.equal(formatTable(['A', 'B'], []), 'A  B');
  });
});

describe('formatFields', () => {
  it('aligns values and leaves out undefined ones', () => {
    assert.equal(formatFields([['name', 'hub'], ['skipped', undefined], ['revision', 7]]), 'name:      hub\nrevision:  7');
  });
});

describe('formatAge', () => {
  it('says how long ago in the largest whole unit', () => {
    const now = 1_000_000_000;
    assert.equal(formatAge(now, now), 'now');
    assert.equal(formatAge(now - 42_000, now), '42s ago');
    assert.equal(formatAge(now - 5 * 60_000, now), '5m ago');
    assert.equal(formatAge(now - 3 * 3_600_000, now), '3h ago');
    assert.equal(formatAge(now - 2 * 86_400_000, now), '2d ago');
    assert.equal(formatAge(undefined, now), undefined);
  });
});

describe('formatTime', () => {
  it('prints UTC ISO 8601 to the second', () => {
    assert.equal(formatTime(Date.UTC(2024, 10, 22, 0, 0, 0, 123)), '2024-11-22T00:00:00Z');
  });
});

describe('exitCodeFor', () => {
  it('maps error codes to exit codes', () => {
    assert.equal(exitCodeFor(new RegistryError('invalid_params')), 2);
    assert.equal(exitCodeFor(new RegistryError('config_invalid')), 2);
    assert.equal(exitCodeFor(new RegistryError('not_found')), 3);
    assert.equal(exitCodeFor(new RegistryError('unauthorized')), 4);
    assert.equal(exitCodeFor(new RegistryError('forbidden')), 4);
    assert.equal(exitCodeFor(new RegistryError('unavailable')), 5);
    assert.equal(exitCodeFor(new RegistryError('internal')), 1);
    assert.equal(exitCodeFor(new InvalidArgumentError('x')), 2);
    assert.equal(exitCodeFor(new ConnectionFailedError('wss://h:1', 'x')), 5);
    assert.equal(exitCodeFor(new ConnectionClosedError()), 5);
    assert.equal(exitCodeFor(new RequestTimeoutError('status', 10)), 5);
    assert.equal(exitCodeFor(new Error('bug')), 1);
  });

  it('describes every error as error [code]: message', () => {
    assert.equal(describeError(new RegistryError('not_found', "service 'x' not found")), "error [not_found]: service 'x' not found");
    assert.equal(describeError(new RequestTimeoutError('status', 10)), "error [request_timeout]: no answer to 'status' within 10 ms");
    assert.equal(describeError(new Error('bug')), 'error [internal]: bug');
  });
});

describe('formatYaml', () => {
  it('writes strings with control characters double-quoted and escaped, and stays valid YAML', () => {
    const value = { title: 'a\u001b]0;t\u0007b', csi: '\u009b31m\u007f', bidi: '\u202eevil', 'key\u2066': 1, plain: 'hub2', list: ['x', 2] };
    const text = formatYaml(value);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.match(text, /^plain: hub2$/m);
    assert.deepEqual(parseYaml(text), value);
  });
});
