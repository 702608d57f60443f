import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopback } from '../../src/domain/index.js';

describe('isLoopback', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1 in every spelling an address comes in', () => {
    const spellings = [
      'localhost',
      'LOCALHOST',
      'localhost.',
      '127.0.0.1',
      '127.255.0.9',
      '::1',
      '[::1]',
      '::1%lo',
      '0:0:0:0:0:0:0:1',
      '0::1',
      '::ffff:127.0.0.1',
      '::FFFF:127.1.2.3',
      '::ffff:7f00:1',
      '[::ffff:127.0.0.1]',
    ];
    for (const host of spellings) assert.equal(isLoopback(host), true, host);
  });

  it('refuses wildcard, private and public addresses, other names, and what only looks like an address', () => {
    const others = ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', '::ffff:0:127.0.0.1', 'example.com', 'localhost.example.com', '127.1', '0x7f.0.0.1', '127.0.0.1.', ''];
    for (const host of others) assert.equal(isLoopback(host), false, host);
  });
});
