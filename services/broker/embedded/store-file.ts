/**
 * Whether a path can hold the embedded store, checked before SQLite opens it: under /proc, /sys
 * or /dev (kernel file systems) or on a FIFO, a socket or a device, opening may fail obscurely or
 * block for ever; the user gets the reason at once instead.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const KERNEL_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

/** The deepest existing folder on the way to `path`, with links resolved. */
function existingAncestor(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return realpathSync(dir);
}

function kind(path: string): string | undefined {
  const stat = statSync(path);
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Why the store cannot live at `path`, or undefined when it can. */
export function storeFileProblem(path: string): string | undefined {
  const absolute = resolve(path);
  const ancestor = existingAncestor(absolute);
  const kernel = KERNEL_FILE_SYSTEMS.find((root) => (ancestor === root || ancestor.startsWith(`${root}/`)) && !ancestor.startsWith('/dev/shm'));
  if (kernel !== undefined) return `${absolute} is under ${kernel}, a kernel file system, where no database can live (expected a path on a disk, like .switchyard/switchyard.db)`;
  if (existsSync(absolute)) {
    const what = kind(realpathSync(absolute));
    if (what !== undefined) return `${absolute} is ${what}, not a database file (expected a file, or a path where one can be created)`;
  }
  return undefined;
}
