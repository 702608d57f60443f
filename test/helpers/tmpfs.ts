import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Mounts a tmpfs of `size` (e.g. `4m`) on `dir`; false when this process may not (not root). */
export function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes to `path` until the file system has no byte left: a real full disk. */
export function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    let chunk = Buffer.alloc(1 << 20, 1);
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'ENOSPC')) throw error;
        if (chunk.length === 1) return;
        chunk = chunk.subarray(0, chunk.length >> 1);
      }
    }
  } finally {
    closeSync(fd);
  }
}
