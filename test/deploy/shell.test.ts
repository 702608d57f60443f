import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { shellQuote } from '../../src/deploy/index.js';
import { posixCommand, sh, shellWords } from '../../src/deploy/internal.js';
import { RegistryError } from '../../src/domain/index.js';

const run = promisify(execFile);

/** What a real `sh` prints for `printf %s <quoted>`: the word exactly as given. */
async function echoed(word: string): Promise<string> {
  const { stdout } = await run('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`]);
  return stdout;
}

describe('shellQuote', () => {
  it('wraps a word in single quotes and escapes the quotes inside', () => {
    assert.equal(shellQuote('plain'), `'plain'`);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), `''`);
  });

  it('hands the shell every hostile word back unchanged', async () => {
    for (const word of ['$(touch /tmp/pwned)', '`id`', "a'b\"c", 'x; rm -rf /', 'line\nbreak', '*', '~root', '-n', '\\', "'''"]) {
      assert.equal(await echoed(word), word);
    }
  });

  it('survives arbitrary text through a real shell', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), async (word) => {
        assert.equal(await echoed(word), word);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a NUL character, which no shell word can hold', () => {
    assert.throws(() => shellQuote('a\0b'), (error: unknown) => error instanceof RegistryError && error.code === 'invalid_params');
  });
});

describe('sh template', () => {
  it('quotes every interpolated value and keeps the literal text', () => {
    const dir = "/opt/my app's";
    assert.equal(sh`cd ${dir} && ls ${'-la'}`.text, `cd '/opt/my app'\\''s' && ls '-la'`);
  });

  it('keeps nested sh fragments as shell text', () => {
    const inner = sh`echo ${'$HOME'}`;
    assert.equal(sh`${inner}; echo ${2}`.text, `echo '$HOME'; echo '2'`);
  });

  it('runs a whole command under sh -c with the script as one quoted word', async () => {
    const { stdout } = await run('/bin/bash', ['-c', posixCommand(sh`printf '%s|' ${"a b"} ${"c'd"}`)]);
    assert.equal(stdout, "a b|c'd|");
    assert.equal(shellWords(['x y', 'z']), `'x y' 'z'`);
  });
});
