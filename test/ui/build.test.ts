/**
 * The dashboard's build: `npm run build:ui` (part of `npm run build`, which `prepare` runs) writes the page, its one
 * script, its style sheet and its icon into the folder the server serves by default.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_DASHBOARD_DIR } from '../../src/server/index.js';
import { DEFAULT_UI_OUT_DIR } from '../../ui/build.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run build:ui', () => {
  it('writes the dashboard where the server looks for it by default', () => {
    assert.equal(DEFAULT_UI_OUT_DIR, DEFAULT_DASHBOARD_DIR);
    assert.equal(DEFAULT_DASHBOARD_DIR, join(root, 'dist', 'ui/'));
  });

  it('is part of the build prepare runs, and builds four files: one page, one script, one style sheet, one icon', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(manifest.scripts.prepare, 'npm run build');
    assert.match(manifest.scripts.build ?? '', /&& npm run build:ui$/, 'the dashboard is built after dist/ is made afresh');
    const out = await mkdtemp(join(tmpdir(), 'registry-ui-build-'));
    await chmod(out, 0o755);
    try {
      const { stdout } = await run('npm', ['run', '--silent', 'build:ui', '--', '--out-dir', out], { cwd: root });
      assert.match(stdout, /dashboard built into/);
      assert.deepEqual((await readdir(out)).sort(), ['dashboard.css', 'dashboard.js', 'favicon.svg', 'index.html']);
      const script = await readFile(join(out, 'dashboard.js'), 'utf8');
      assert.doesNotMatch(script, /^import |from ["']/m, 'one bundled module, importing nothing');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
