/** Usage errors quote what they refuse; that text may come from anywhere and reaches a terminal. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured } from '../helpers/cli.js';

/** Recolours the terminal, retitles the window, and (C1 CSI) would do so again on some terminals. */
const HOSTILE = 'x\u001b[31mred\u001b]0;owned\u0007\u009b2J\u202e';

describe('usage errors', () => {
  it('show a hostile option or argument escaped, never raw', async () => {
    for (const argv of [['get', `--${HOSTILE}`], ['ip', HOSTILE], ['--output', HOSTILE, 'list']]) {
      const result = await runCaptured(argv, { env: {}, cwd: tmpdir() });
      assert.equal(result.code, EXIT.usage, argv.join(' '));
      assert.match(result.stderr, /x\\x1b\[31mred\\x1b\]0;owned\\x07\\x9b2J\\u202e/, argv.join(' '));
      assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/, argv.join(' '));
    }
  });
});
