import { type Command, consoleOutput, type OptionValues } from '../command.ts';
import { Table } from '../table.ts';
import { SwitchyardError } from '../../errors.ts';
import { channelLog } from '../../flows/flow-names.ts';
import { brokerOption, integerOption, outputOption, resourceOption, stringOption } from '../option-values.ts';
import { jsonOrError, platformToken, platformUrl, request } from '../platform-client.ts';

interface EventsPage {
  events: Array<{ offset: string; storedAt: string; event: Record<string, unknown> }>;
}

const PAGE = 1000;

/** The log to list: a broker's, or a channel's (a Channel by its name, a flow's channel by the name validate shows). */
function logOption(values: OptionValues): string {
  const broker = brokerOption(values);
  const channel = resourceOption(values, 'channel');
  if ((broker === undefined) === (channel === undefined)) {
    throw new SwitchyardError('SWY_USAGE', `${broker === undefined ? 'neither --broker nor --channel is given' : '--broker and --channel are both given'} (expected one of them, like --broker default/default)`);
  }
  if (broker !== undefined) return broker;
  const [namespace = 'default', name = ''] = (channel as string).split(/\/(.*)/s);
  return name.includes(':') ? `${namespace}/${name}` : channelLog(namespace, name);
}

export const eventsCommand: Command = {
  name: 'events',
  summary: "List the events a running platform has stored for a broker",
  help: `Usage: switchyard events (--broker | --channel) [NAMESPACE/]NAME [--limit N] [--output json] [--url URL]

Lists the events stored for the broker or channel, oldest first. Talks to the running platform at
--url, then SWITCHYARD_URL, then http://127.0.0.1:8080.

Options:
      --broker [NS/]NAME the broker, like default/default; a name alone is in default
      --channel [NS/]NAME
                         a Channel or InMemoryChannel, like default/orders; or a flow's channel
                         as validate names it: sequence:NAME:step-N (what step N receives),
                         parallel:NAME (what every branch receives), parallel:NAME:branch-N
                         (what branch N's filter passed)
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
    channel: { type: 'string' },
    limit: { type: 'string' },
    output: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
  },
  async run(values) {
    const broker = logOption(values);
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
