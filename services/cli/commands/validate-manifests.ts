/** What `switchyard validate` does: every check `run` makes, without starting anything. */
import { DEFAULT_URL_TEMPLATE } from '../../dispatcher/destinations.ts';
import { SwitchyardError } from '../../errors.ts';
import { formatProblem, sortProblems } from '../../manifests/config-problem.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { loadPlatformConfig } from '../../manifests/load-platform-config.ts';
import { compileConfig } from '../../manifests/runtime-config.ts';
import { destinationFindings, functionLoadProblems, secretProblems } from '../../manifests/runtime-checks.ts';
import { consoleOutput, type OptionValues } from '../command.ts';
import { printWarnings, problemCount } from '../config-report.ts';
import { stringList, stringOption } from '../option-values.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function validateManifests(values: OptionValues): Promise<number> {
  const files = stringList(values, 'file');
  if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
  const configFile = stringOption(values, 'config');
  const platformConfig = configFile === undefined ? undefined : loadPlatformConfig(configFile);
  const loaded = loadManifests(files);
  const config = compileConfig(loaded);
  const destinations = destinationFindings(config, {
    urlTemplate: platformConfig?.settings?.urlTemplate ?? DEFAULT_URL_TEMPLATE,
    overrides: platformConfig?.settings?.services ?? new Map(),
    baseUrl: () => '',
  });
  const problems = [
    ...(platformConfig?.problems ?? []),
    ...sortProblems([...loaded.problems, ...destinations.problems, ...secretProblems(config, stringOption(values, 'secrets-dir')), ...(await functionLoadProblems(config))], loaded.files),
  ];
  const fileCount = loaded.files.length + (configFile === undefined ? 0 : 1);
  printWarnings(sortProblems([...loaded.warnings, ...destinations.warnings], loaded.files));
  if (problems.length > 0) {
    for (const problem of problems) consoleOutput.out(formatProblem(problem));
    consoleOutput.err(`${problemCount(problems)} in ${plural(fileCount, 'file')} (SWY_CONFIG_INVALID)`);
    return 1;
  }
  const counts = [
    plural(fileCount, 'file'),
    plural(loaded.brokers.length, 'broker'),
    plural(loaded.triggers.length, 'trigger'),
    plural(loaded.functions.length, 'function'),
    plural(loaded.pingSources.length, 'ping source'),
    plural(loaded.webhookSources.length, 'webhook source'),
  ];
  if (loaded.kafkaSources.length > 0) counts.push(plural(loaded.kafkaSources.length, 'kafka source'));
  if (loaded.kafkaSinks.length > 0) counts.push(plural(loaded.kafkaSinks.length, 'kafka sink'));
  // Flow kinds are counted when there are some, so the line stays short for those who use none.
  const channels = loaded.channels.length;
  if (channels > 0) counts.push(plural(channels, 'channel'));
  if (loaded.subscriptions.length > 0) counts.push(plural(loaded.subscriptions.length, 'subscription'));
  if (loaded.sequences.length > 0) counts.push(plural(loaded.sequences.length, 'sequence'));
  if (loaded.parallels.length > 0) counts.push(plural(loaded.parallels.length, 'parallel'));
  if (loaded.skipped.length > 0) counts.push(`${loaded.skipped.length} skipped (${loaded.skipped.join(', ')})`);
  const lines = [`valid: ${counts.join(', ')}`];
  // Each schedule in words, with its next fire times, so a wrong cron shows before it runs.
  for (const ping of config.pingSources) {
    const next: string[] = [];
    let at = new Date();
    for (let i = 0; i < 3; i++) next.push((at = ping.schedule.next(at)).toISOString());
    lines.push(`PingSource ${ping.key}: ${ping.schedule.description}; next: ${next.join(', ')}`);
  }
  // Each flow's wiring, so a reply going nowhere (or to the wrong place) shows before it runs.
  for (const flow of config.flows) lines.push(flow.wiring);
  consoleOutput.out(lines.join('\n'));
  return 0;
}
