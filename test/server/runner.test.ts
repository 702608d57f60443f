/**
 * The runner checks each answer against its operation's output schema where the sources run (so
 * every test of the suite runs with the check on); these pin what the check does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { typedOperations } from '../../src/operations/index.js';
import { checkAnswer } from '../../src/server/internal.js';

describe('checkAnswer', () => {
  it('passes an answer of its operation’s output shape', () => {
    checkAnswer(typedOperations.ping, { op: 'ping', result: { name: 'api', success: true, message: 'pong' } });
  });

  it('throws a plain error (answered as internal) naming the operation and the field when an answer breaks its schema', () => {
    const drifted = { op: 'ping', result: { name: 'api', ok: true, message: 'pong' } } as never;
    assert.throws(
      () => checkAnswer(typedOperations.ping, drifted),
      (error: unknown) => error instanceof Error && error.constructor === Error && /'ping'.*success: /.test(error.message),
    );
  });
});
