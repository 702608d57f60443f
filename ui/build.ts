/**
 * Builds the dashboard (`npm run build:ui`, the last step of `npm run build`, which `prepare`
 * runs): esbuild bundles ui/src into one ES module, and the page, its style sheet and its icon are
 * copied beside it, into dist/ui/ where the server serves them from (DEFAULT_DASHBOARD_DIR). No framework, no CDN: what the page
 * loads is these four files. Type checking is `npm run typecheck`'s (ui/tsconfig.json).
 *
 *   tsx ui/build.ts [--out-dir DIR]
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const UI_DIR = fileURLToPath(new URL('.', import.meta.url));
/** dist/ui/ of the package: where the server looks by default. */
export const DEFAULT_UI_OUT_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));
/** The files copied as they are. */
const STATIC_FILES = ['index.html', 'dashboard.css', 'favicon.svg'] as const;

/** Writes the dashboard into `outDir` (created if missing) and answers the folder. */
export async function buildDashboard(options: { readonly outDir?: string } = {}): Promise<string> {
  const outDir = resolve(options.outDir ?? DEFAULT_UI_OUT_DIR);
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(UI_DIR, 'src', 'main.ts')],
    outfile: join(outDir, 'dashboard.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // BigInt (the IP module) and the rest of ES2020 are all the page needs.
    target: ['es2022'],
    legalComments: 'none',
    logLevel: 'silent',
    charset: 'utf8',
  });
  await Promise.all(STATIC_FILES.map((name) => copyFile(join(UI_DIR, name), join(outDir, name))));
  return outDir;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--out-dir');
  const outDir = at < 0 ? undefined : process.argv[at + 1];
  const written = await buildDashboard(outDir === undefined ? {} : { outDir });
  process.stdout.write(`dashboard built into ${written}\n`);
}
