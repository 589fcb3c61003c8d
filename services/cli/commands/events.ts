import { type Command, consoleOutput } from '../command.ts';
import { Table } from '../table.ts';
import { brokerOption, integerOption, outputOption, required, stringOption } from '../option-values.ts';
import { jsonOrError, platformToken, platformUrl, request } from '../platform-client.ts';

interface EventsPage {
  events: Array<{ offset: string; storedAt: string; event: Record<string, unknown> }>;
}

const PAGE = 1000;

export const eventsCommand: Command = {
  name: 'events',
  summary: "List the events a running platform has stored for a broker",
  help: `Usage: switchyard events --broker [NAMESPACE/]NAME [--limit N] [--output json] [--url URL]

Lists the events stored for the broker, oldest first. Talks to the running platform at --url,
then SWITCHYARD_URL, then http://127.0.0.1:8080.

Options:
      --broker [NS/]NAME the broker, like default/default; a name alone is in default (required)
      --limit N          only the newest N events
      --output FORMAT    table (default) or json: one structured-mode CloudEvent (JSON event
                         format, data or data_base64) per line
      --url URL          the platform's base URL
      --token TOKEN      a read or admin token for the admin API (else SWITCHYARD_TOKEN)
  -h, --help             show this help

Example:
  switchyard events --broker default/default --limit 10 --output json`,
  options: {
    broker: { type: 'string' },
    limit: { type: 'string' },
    output: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
  },
  async run(values) {
    const broker = required(brokerOption(values), 'broker', 'NAME or NAMESPACE/NAME, like default/default');
    const output = outputOption(values);
    const limit = integerOption(values, 'limit', 1, 100_000);
    const base = `${platformUrl(stringOption(values, 'url'))}/api/v1/brokers/${broker}/events`;
    const token = platformToken(stringOption(values, 'token'));

    // The header comes with the first page: an error prints no table.
    const table = new Table(['OFFSET', 'STORED', 'TYPE', 'SOURCE', 'ID']);
    const print = (page: EventsPage) => {
      if (output === 'json') {
        for (const entry of page.events) consoleOutput.out(JSON.stringify(entry.event));
        return;
      }
      const rows = page.events.map((entry) => [entry.offset, entry.storedAt, entry.event['type'], entry.event['source'], entry.event['id']].map(String));
      for (const line of table.lines(rows)) consoleOutput.out(line);
    };
    if (limit !== undefined) {
      print((await jsonOrError(await request(`${base}?limit=${limit}`, {}, token), `listing ${broker}`)) as EventsPage);
      return 0;
    }
    let after: string | undefined;
    for (;;) {
      const query = after === undefined ? `?after=0&limit=${PAGE}` : `?after=${after}&limit=${PAGE}`;
      const page = (await jsonOrError(await request(`${base}${query}`, {}, token), `listing ${broker}`)) as EventsPage;
      print(page);
      if (page.events.length < PAGE) return 0;
      after = page.events[page.events.length - 1]?.offset;
    }
  },
};
