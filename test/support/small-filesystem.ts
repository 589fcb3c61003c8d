/**
 * A small file system of its own for a test (a tmpfs mounted on a temporary folder), which the
 * test can fill to the last byte and free again: a real full disk, ENOSPC from the kernel.
 * Mounting needs root; `available()` says whether this machine allows it.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallFilesystem {
  readonly path: string;
  /** Writes a filler file until the file system is full. */
  fill(): void;
  /** Removes the filler. */
  free(): void;
  remove(): void;
}

export function smallFilesystemAvailable(): boolean {
  return process.getuid?.() === 0;
}

export function smallFilesystem(sizeBytes: number): SmallFilesystem {
  const path = mkdtempSync(join(tmpdir(), 'switchyard-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path]);
  const filler = join(path, 'filler');
  return {
    path,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last partial chunk: fill what is left, byte by byte in smaller writes.
        for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
          try {
            for (;;) writeSync(fd, chunk.subarray(0, size));
          } catch {
            // Full at this size; try a smaller one.
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    remove() {
      try {
        execFileSync('umount', ['-l', path]);
      } finally {
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}
