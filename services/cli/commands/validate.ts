/**
 * `switchyard validate`: its usage. The work is in validate-manifests.ts, imported only when the
 * command runs.
 */
import type { Command } from '../command.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests and list every problem with file, line and column',
  help: `Usage: switchyard validate -f PATH [-f PATH ...] [--config FILE]

Loads the manifests as \`switchyard run\` would and reports every problem at once, one per line:
  FILE:LINE:COL Kind/name field.path: what is wrong (what was expected)
Everything \`run\` would refuse is reported: schema errors, CESQL that does not compile,
destinations nothing delivers to, secrets that cannot be read now (unset variables, missing
files) and Function handlers that do not load (each is loaded once, in a worker, as run does).
Warnings (filters Knative skips, undeclared brokers, documents that are skipped, refs that
resolve to a Kubernetes cluster address) go to stderr.

PATH is a YAML file (several documents separated by ---) or a folder of .yaml/.yml files.

Options:
  -f, --file PATH   a manifest file or folder (repeatable)
      --config FILE a platform configuration file (kind PlatformConfig) to check as well
      --secrets-dir DIR
                    where Knative secretKeyRefs are read, as run reads them (default ./secrets)
  -h, --help        show this help

Exit status: 0 when the manifests are valid (a one-line summary is printed), 1 when not.

Example:
  switchyard validate -f examples/quickstart`,
  options: { file: { type: 'string', short: 'f', multiple: true }, config: { type: 'string' }, 'secrets-dir': { type: 'string' } },
  async run(values) {
    const { validateManifests } = await import('./validate-manifests.ts');
    return validateManifests(values);
  },
};
