import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonTerminalSafe, terminalSafe, terminalSafeLines } from '../../src/cli/terminal-text.js';

describe('terminalSafe', () => {
  it('shows C0, DEL, C1 and bidirectional overrides escaped and leaves other text alone', () => {
    assert.equal(terminalSafe('a\u001b]0;t\u0007b'), 'a\\x1b]0;t\\x07b');
    assert.equal(terminalSafe('x\ny\rz\tw\u007f\u009b\u202e'), 'x\\ny\\rz\\tw\\x7f\\x9b\\u202e');
    assert.equal(terminalSafe('héllo → wörld'), 'héllo → wörld');
  });

  it('keeps line breaks in multi-line text and escapes the rest', () => {
    assert.equal(terminalSafeLines('a\u001b[2J\nb\r'), 'a\\x1b[2J\nb\\r');
  });

  it('keeps JSON valid while escaping what JSON.stringify leaves raw', () => {
    const text = jsonTerminalSafe(JSON.stringify({ k: '\u009b31m\u007f\u2066' }));
    assert.equal(text, '{"k":"\\u009b31m\\u007f\\u2066"}');
    assert.deepEqual(JSON.parse(text), { k: '\u009b31m\u007f\u2066' });
  });
});
