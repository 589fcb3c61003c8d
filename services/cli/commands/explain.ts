/**
 * `switchyard explain`: its usage. The work is in explain-events.ts, imported only when the
 * command runs.
 */
import type { Command } from '../command.ts';

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
    const { explainEvents } = await import('./explain-events.ts');
    return explainEvents(values);
  },
};
