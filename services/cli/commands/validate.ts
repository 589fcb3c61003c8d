import { formatProblem } from '../../manifests/config-problem.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { loadPlatformConfig } from '../../manifests/load-platform-config.ts';
import { compileConfig } from '../../manifests/runtime-config.ts';
import { type Command, consoleOutput } from '../command.ts';
import { stringList, stringOption } from '../option-values.ts';
import { SwitchyardError } from '../../errors.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests and list every problem with file, line and column',
  help: `Usage: switchyard validate -f PATH [-f PATH ...] [--config FILE]

Loads the manifests as \`switchyard run\` would and reports every problem at once, one per line:
  FILE:LINE:COL Kind/name field.path: what is wrong (what was expected)

PATH is a YAML file (several documents separated by ---) or a folder of .yaml/.yml files.

Options:
  -f, --file PATH   a manifest file or folder (repeatable)
      --config FILE a platform configuration file (kind PlatformConfig) to check as well
  -h, --help        show this help

Exit status: 0 when the manifests are valid (a one-line summary is printed), 1 when not.

Example:
  switchyard validate -f examples/quickstart`,
  options: { file: { type: 'string', short: 'f', multiple: true }, config: { type: 'string' } },
  async run(values) {
    const files = stringList(values, 'file');
    if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
    const loaded = loadManifests(files);
    const configFile = stringOption(values, 'config');
    const problems = [...(configFile === undefined ? [] : loadPlatformConfig(configFile).problems), ...loaded.problems];
    const fileCount = loaded.files.length + (configFile === undefined ? 0 : 1);
    for (const warning of loaded.warnings) consoleOutput.err(`warning: ${formatProblem(warning)}`);
    if (problems.length > 0) {
      for (const problem of problems) consoleOutput.out(formatProblem(problem));
      consoleOutput.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${fileCount} file${fileCount === 1 ? '' : 's'} (SWY_CONFIG_INVALID)`);
      return 1;
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const counts = [plural(fileCount, 'file'), plural(loaded.brokers.length, 'broker'), plural(loaded.triggers.length, 'trigger'), plural(loaded.functions.length, 'function')];
    if (loaded.pingSources.length > 0) counts.push(plural(loaded.pingSources.length, 'ping source'));
    const lines = [`valid: ${counts.join(', ')}`];
    // Each schedule in words, with its next fire times, so a wrong cron shows before it runs.
    for (const ping of compileConfig(loaded).pingSources) {
      const next: string[] = [];
      let at = new Date();
      for (let i = 0; i < 3; i++) next.push((at = ping.schedule.next(at)).toISOString());
      lines.push(`PingSource ${ping.key}: ${ping.schedule.description}; next: ${next.join(', ')}`);
    }
    consoleOutput.out(lines.join('\n'));
    return 0;
  },
};
