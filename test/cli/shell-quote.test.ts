import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shellAssignment, shellQuote } from '../../src/cli/shell-quote.js';
import { RegistryError } from '../../src/domain/index.js';

describe('shellQuote', () => {
  it('makes one single-quoted word, with each quote written as \'\\\'\'', () => {
    assert.equal(shellQuote('10.0.0.5:80'), "'10.0.0.5:80'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('$(id);`id`'), "'$(id);`id`'");
  });
});

describe('shellAssignment', () => {
  it('quotes the value of NAME=value', () => {
    assert.equal(shellAssignment('API_ADDR=[::1]:80'), "API_ADDR='[::1]:80'");
  });

  it('refuses a line whose name is not a shell identifier', () => {
    assert.throws(() => shellAssignment('$(id)=x'), (error: unknown) => error instanceof RegistryError && /not NAME=value/.test(error.message));
  });
});
