/** `registry migrate` with the SQLite store: store locations an operator may mistype, and what it reports. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { EXIT } from '../../src/cli/index.js';
import { LATEST_SCHEMA_VERSION, migrations } from '../../src/store/internal.js';
import { runCaptured } from '../helpers/cli.js';
import { pictureOf } from '../helpers/data-folder.js';

describe('registry migrate', () => {
  let home: string;
  let env: Record<string, string>;
  const migrate = (...argv: string[]) => runCaptured(['migrate', ...argv], { env, cwd: home });
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'registry-migrate-'));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('refuses a URL scheme it does not speak, listing the accepted ones, and creates no file', async () => {
    const result = await migrate('--store', 'mysql://foo');
    assert.equal(result.code, EXIT.usage);
    assert.equal(result.stderr, 'error [invalid_params]: the store location mysql://… is not supported: use a SQLite file path, or a postgres:// (or postgresql://) URL\n');
    assert.deepEqual(await readdir(home), []);
  });

  it('refuses a path whose folder is missing, and creates no folder', async () => {
    const path = join(home, 'no-such-dir', 'x.db');
    const result = await migrate('--store', path);
    assert.equal(result.code, EXIT.usage);
    assert.equal(result.stderr, `error [invalid_params]: the folder of the SQLite database ${path} does not exist: create ${join(home, 'no-such-dir')} first, or fix the path\n`);
    assert.equal(await pictureOf(join(home, 'no-such-dir')), 'absent');
  });

  it('says a new file was created at the latest schema, and then that it is up to date', async () => {
    const path = join(home, 'new.db');
    const created = await migrate('--store', path);
    assert.equal(created.code, EXIT.ok, created.stderr);
    assert.match(created.stdout, new RegExp(`^schema:\\s+created at ${LATEST_SCHEMA_VERSION}$`, 'm'));
    const again = await migrate('--store', path, '--json');
    assert.deepEqual(JSON.parse(again.stdout), { kind: 'sqlite', location: path, from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, created: false });
    assert.match((await migrate('--store', path)).stdout, new RegExp(`^schema:\\s+up to date at ${LATEST_SCHEMA_VERSION}$`, 'm'));
  });

  it('says from which schema it migrated a file an older build wrote', async () => {
    const path = join(home, 'old.db');
    const db = new Database(path);
    for (const step of migrations.filter((m) => m.version <= 2)) db.exec(step.sql);
    db.pragma('user_version = 2');
    db.close();
    const result = await migrate('--store', path);
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, new RegExp(`^schema:\\s+migrated from schema 2 to ${LATEST_SCHEMA_VERSION}$`, 'm'));
  });
});
