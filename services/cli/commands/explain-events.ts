/** What `switchyard explain` does: load the triggers, read the events, say for each which triggers match. */
import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { eventFromJson } from '../../cloudevents/json-format.ts';
import { Explainer } from '../../dispatcher/explain.ts';
import { SwitchyardError } from '../../errors.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { compileConfig, declaredTriggers } from '../../manifests/runtime-config.ts';
import { consoleOutput, type OptionValues } from '../command.ts';
import { refuseProblems } from '../config-report.ts';
import { outputOption, required, stringList, stringOption } from '../option-values.ts';
import { jsonValues, readInput } from '../read-input.ts';

/** One JSON event, a JSON array of events, or JSON lines; each in the JSON event format. */
export function parseEvents(text: string, source: string): CloudEvent[] {
  return jsonValues(text, source).map(({ value, where }) => {
    const outcome = eventFromJson(value);
    if (!outcome.ok) throw new SwitchyardError('SWY_USAGE', `${where} is not a valid CloudEvent: ${outcome.violations.map((v) => v.rule).join('; ')}`);
    return outcome.event;
  });
}

export async function explainEvents(values: OptionValues): Promise<number> {
  const files = stringList(values, 'file');
  if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
  const source = required(stringOption(values, 'event'), 'event', 'a file of events in the JSON event format, or - for standard input');
  const output = outputOption(values);
  const loaded = loadManifests(files);
  if (loaded.problems.length > 0) refuseProblems(loaded.problems, 'in the manifests');
  const config = compileConfig(loaded);
  const explainer = new Explainer(declaredTriggers(config));
  const events = parseEvents(readInput(source, 'event'), source === '-' ? 'stdin' : source);
  for (const event of events) {
    const explanations = explainer.explain(event);
    if (output === 'json') {
      consoleOutput.out(JSON.stringify(explanations));
      continue;
    }
    consoleOutput.out(`event ${String(event.attributes['id'])} (${String(event.attributes['type'])})`);
    if (explanations.length === 0) consoleOutput.out('  no triggers are declared');
    const width = Math.max(0, ...explanations.map((e) => e.trigger.length));
    for (const e of explanations) consoleOutput.out(`  ${e.trigger.padEnd(width)}  ${e.matched ? 'matches' : 'no match'}: ${e.reason}`);
  }
  return 0;
}
