/** `switchyard`: parses the command line and runs one command. No logic of its own. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SwitchyardError } from '../errors.ts';
import { type Command, consoleOutput } from './command.ts';
import { cesqlCommand } from './commands/cesql.ts';
import { dlqCommand } from './commands/dlq.ts';
import { eventsCommand } from './commands/events.ts';
import { explainCommand } from './commands/explain.ts';
import { runCommand } from './commands/run.ts';
import { sendCommand } from './commands/send.ts';
import { validateCommand } from './commands/validate.ts';

/** The name this package has on the npm registry (`switchyard` there is someone else's). */
const PACKAGE_NAME = 'switchyard-eventing';

const commands: readonly Command[] = [runCommand, validateCommand, sendCommand, eventsCommand, dlqCommand, explainCommand, cesqlCommand];

const overview = `Usage: switchyard COMMAND [options]

Switchyard is an eventing platform: Knative Eventing's brokers and triggers without Kubernetes.

Commands:
${commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run \`switchyard COMMAND --help\` for a command's options, \`switchyard --version\` for the version.
Exit status: 0 success, 1 failure, 2 wrong usage.`;

/** The version in the package.json of this installation (found upwards from this module: dist/ or the sources). */
function version(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === PACKAGE_NAME) {
        const from = import.meta.url.endsWith('.ts') ? 'from the TypeScript sources' : 'from dist/';
        return `switchyard ${manifest.version} (${PACKAGE_NAME}, Node.js ${process.version}, ${from})`;
      }
    } catch {
      // No package.json here; look further up.
    }
  }
  return `switchyard (version unknown: no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)})`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Usage goes to stderr, as for every other usage error: stdout stays for what a command prints.
    consoleOutput.err(overview);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    consoleOutput.out(overview);
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    consoleOutput.out(version());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) throw new SwitchyardError('SWY_USAGE', `unknown command ${JSON.stringify(name)} (expected one of: ${commands.map((c) => c.name).join(', ')})`);
  if (rest.includes('--help') || rest.includes('-h')) {
    consoleOutput.out(command.help);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    throw new SwitchyardError('SWY_USAGE', `${(error as Error).message.split('\n')[0]} (see switchyard ${command.name} --help)`);
  }
  return command.run(parsed.values, parsed.positionals);
}

/**
 * Resolves once everything written to the stream has reached the OS. Writes to a pipe are
 * asynchronous: exiting straight away drops whatever the pipe could not take yet (beyond its
 * 64 KB), so `switchyard events | less` would lose lines.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// A reader that goes away (`switchyard events | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
}

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    if (error instanceof SwitchyardError) {
      consoleOutput.err(`error ${error.code}: ${error.message}`);
      return exit(error.code === 'SWY_USAGE' ? 2 : 1);
    }
    consoleOutput.err(`error SWY_INTERNAL: ${(error as Error).stack ?? String(error)}`);
    return exit(1);
  },
);
