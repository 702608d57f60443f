import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../../src/config/index.js';

describe('isLoopbackHost', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1 in its spellings', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('refuses wildcard, private and public addresses and other names', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', 'example.com', 'localhost.example.com']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
