import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import { eventFromJson } from '../../cloudevents/json-format.ts';
import { Explainer } from '../../dispatcher/explain.ts';
import { SwitchyardError } from '../../errors.ts';
import { formatProblem } from '../../manifests/config-problem.ts';
import { loadManifests } from '../../manifests/load-manifests.ts';
import { compileConfig } from '../../manifests/runtime-config.ts';
import { type Command, consoleOutput } from '../command.ts';
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

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Say which triggers an event matches, and why the others do not',
  help: `Usage: switchyard explain -f PATH [-f PATH ...] --event FILE|- [--output json]

Reads one event (a JSON object in the JSON event format), a JSON array of events, or JSON lines,
from FILE or standard input (-), and says for each event and each trigger in the manifests
whether it matches and, when not, which filter element failed and what it expected.

Options:
  -f, --file PATH       manifests, as for switchyard run (repeatable)
      --event FILE|-    the events to explain
      --output FORMAT   table (default) or json: one line per event, a list of
                        {"trigger", "broker", "matched", "reason"}
  -h, --help            show this help

Example:
  echo '{"specversion":"1.0","id":"1","source":"/shop","type":"com.example.order.created"}' \\
    | switchyard explain -f examples/quickstart --event -`,
  options: { file: { type: 'string', short: 'f', multiple: true }, event: { type: 'string' }, output: { type: 'string' } },
  async run(values) {
    const files = stringList(values, 'file');
    if (files.length === 0) throw new SwitchyardError('SWY_USAGE', '-f PATH is required (expected a manifest file or folder)');
    const source = required(stringOption(values, 'event'), 'event', 'a file of events in the JSON event format, or - for standard input');
    const output = outputOption(values);
    const loaded = loadManifests(files);
    if (loaded.problems.length > 0) {
      for (const problem of loaded.problems) consoleOutput.err(formatProblem(problem));
      throw new SwitchyardError('SWY_CONFIG_INVALID', `${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in the manifests`);
    }
    const explainer = new Explainer(compileConfig(loaded).triggers);
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
  },
};
