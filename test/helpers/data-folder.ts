/**
 * Watching what a start does to a data folder: a picture of every file (path, mode, size, mtime
 * and a hash of the bytes) to compare before and after, and the `serve` line that says where a
 * server listens and under which PID.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every entry under `dir` with what identifies its content; `absent` when `dir` does not exist. */
export async function pictureOf(dir: string): Promise<string[] | 'absent'> {
  const top = await stat(dir).catch(() => undefined);
  if (top === undefined) return 'absent';
  const entries: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const info = await stat(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        entries.push(`${relative(dir, path)}/ ${mode}`);
        await walk(path);
      } else {
        const digest = createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
        entries.push(`${relative(dir, path)} ${mode} ${info.size} ${info.mtimeMs} ${digest}`);
      }
    }
  };
  await walk(dir);
  return entries;
}

/** The `listening on …` line `serve` logs (pino JSON): its URL and the server's PID. */
export function listeningLine(line: string): { readonly url: string; readonly pid: number; readonly port: number } {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || !('url' in value) || !('pid' in value)) throw new Error(`not a listening line: ${line}`);
  const { url, pid } = value;
  if (typeof url !== 'string' || typeof pid !== 'number') throw new Error(`not a listening line: ${line}`);
  return { url, pid, port: Number(new URL(url).port) };
}
