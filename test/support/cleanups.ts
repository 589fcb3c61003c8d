/** What a test sets up and must take down: deferred as it goes, run after each test, newest first. */
import { afterEach } from 'vitest';

/** Registers the afterEach hook in the calling test file and returns the function that defers a cleanup. */
export function deferredCleanups(): (cleanup: () => unknown) => void {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}
