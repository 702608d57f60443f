import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeploymentJournal } from '../../src/deploy/internal.js';
import { asRevision, type DeploymentRecord, ManualClock } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';

const initial: DeploymentRecord = {
  id: 'd-1',
  kind: 'deploy',
  node: 'n1',
  service: 'api',
  version: '1.0.0',
  status: 'running',
  startedAt: Date.UTC(2026, 0, 1),
  steps: [],
};

describe('DeploymentJournal', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-journal-test-'));
    await chmod(dir, 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes one DeploymentProgress event per step change and keeps the record in the log across a reopen', async () => {
    const location = join(dir, 'registry.db');
    const clock = new ManualClock();
    const store = await openStore({ location, clock });
    try {
      const journal = new DeploymentJournal(store, clock, initial);
      await journal.open('verify', clock.now(), '5 files checked');
      await journal.started('connect');
      clock.advance(40);
      await journal.succeeded('connect', 'connected');
      await journal.started('check');
      await journal.failed('check', 'node lacks required commands x');
      await journal.finish({ failure: { step: 'check', code: 'deployment_failed', message: 'node lacks required commands x' } });
      const events = await store.eventsSince(asRevision(0), 100);
      assert.deepEqual(
        events.map((e) => (e.type === 'DeploymentProgress' ? `${e.step}:${e.status}` : e.type)),
        ['verify:succeeded', 'connect:started', 'connect:succeeded', 'check:started', 'check:failed'],
      );
      assert.equal(store.deployments.get('d-1')?.steps[1]?.finishedAt, Date.UTC(2026, 0, 1) + 40);
    } finally {
      await store.close();
    }
    const reopened = await openStore({ location, clock });
    try {
      const record = reopened.deployments.get('d-1');
      assert.equal(record?.status, 'failed');
      assert.equal(record?.failure?.step, 'check');
      assert.deepEqual(record?.steps.map((s) => `${s.step}:${s.status}`), ['verify:succeeded', 'connect:succeeded', 'check:failed']);
      assert.deepEqual(reopened.deployments.list().map((d) => d.id), ['d-1']);
    } finally {
      await reopened.close();
    }
  });

  it('records upload progress without spending a revision', async () => {
    const clock = new ManualClock();
    const store = await openStore({ location: join(dir, 'progress.db'), clock });
    try {
      const journal = new DeploymentJournal(store, clock, { ...initial, id: 'd-2' });
      await journal.started('upload');
      const revision = store.revision;
      await journal.uploaded(512, 1024);
      assert.equal(store.revision, revision);
      assert.deepEqual([store.deployments.get('d-2')?.uploadedBytes, store.deployments.get('d-2')?.packageBytes], [512, 1024]);
    } finally {
      await store.close();
    }
  });
});
