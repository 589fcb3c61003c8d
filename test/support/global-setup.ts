/** Builds dist/ once before the suites run, so tests that start the `switchyard` command run the current code. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
}
