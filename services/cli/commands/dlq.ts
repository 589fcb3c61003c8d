import { SwitchyardError } from '../../errors.ts';
import { type Command, consoleOutput, type OptionValues } from '../command.ts';
import { brokerOption, integerOption, outputOption, stringOption, triggerOption } from '../option-values.ts';
import { jsonOrError, platformToken, platformUrl, request } from '../platform-client.ts';
import { runInChunks } from '../chunked-operation.ts';
import { Table } from '../table.ts';

interface DeadLetterJson {
  id: string;
  broker: string;
  trigger: string;
  /** For a flow's dead letter: the flow and its step or branch. */
  flow?: string;
  reason: string;
  createdAt: string;
  attempts: Array<{ at: string; status?: number; error: string }>;
  deadLetterSink: { state: string; destination?: string; error?: string };
  event: Record<string, unknown>;
}

interface RedriveResult {
  id: string;
  outcome: string;
  target: string;
  error?: string;
}

const SUBCOMMANDS = ['list', 'show', 'redrive', 'purge'];
/** Entries a call: redriving to a trigger is a write each; --to sends each, which may be slow. */
const REDRIVE_CHUNK = 500;
const SEND_CHUNK = 10;
const PURGE_CHUNK = 1000;
/** Ids a request at most (the platform takes up to 10,000). */
const ID_PART = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function filterBody(values: OptionValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const broker = brokerOption(values);
  const trigger = triggerOption(values);
  if (broker !== undefined) body['broker'] = broker;
  if (trigger !== undefined) body['trigger'] = trigger;
  for (const name of ['type', 'since']) {
    const value = stringOption(values, name);
    if (value !== undefined) body[name] = value;
  }
  const code = integerOption(values, 'code', 100, 599);
  if (code !== undefined) body['code'] = code;
  return body;
}

function row(entry: DeadLetterJson): string[] {
  const code = entry.event['knativeerrorcode'];
  return [entry.id, entry.createdAt, entry.trigger, String(entry.event['type']), String(entry.event['id']), code === undefined ? '-' : String(code), entry.reason];
}

async function post(base: string, path: string, body: unknown, token: string | undefined): Promise<unknown> {
  return jsonOrError(
    await request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, token),
    `POST ${path}`,
  );
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'Inspect, redrive and purge the dead-letter queue',
  help: `Usage: switchyard dlq list    [filters] [--limit N] [--output json]
       switchyard dlq show ID  [--output json]
       switchyard dlq redrive  (ID... | filters | --all) [--to URL] [--dry-run]
       switchyard dlq purge    (ID... | filters | --all) --yes [--dry-run]

Dead letters are events a trigger could not deliver: retries exhausted, a non-retryable answer,
or a reply that ran out of hops. Each keeps the event (with knativeerrordest, knativeerrorcode
and knativeerrordata), its trigger, every attempt and the reason.

redrive sends them back to their trigger (delivered again from the first attempt, with the
trigger's retry rules), or with --to once to that URL; a redriven entry leaves the queue.
purge deletes them; it asks for --yes. Both take ids, or filters, or --all.

Filters:
      --broker [NS/]NAME  --trigger [NS/]NAME  --type TYPE    --code STATUS
                          (a name without a namespace is in default)
      --since WHEN        an RFC 3339 time, or an ISO-8601 duration meaning that long ago (PT1H)
Options:
      --output FORMAT     table (default) or json (one entry per line, the event in the JSON event format)
      --url URL           the platform's base URL (else SWITCHYARD_URL, else http://127.0.0.1:8080)
      --token TOKEN       the admin API's bearer token (else SWITCHYARD_TOKEN); list and show take a
                          read token, redrive and purge an admin token
  -h, --help              show this help

Examples:
  switchyard dlq list --trigger default/orders --since PT1H
  switchyard dlq redrive 12 13 --dry-run
  switchyard dlq redrive --code 503 --to http://localhost:9000/replay
  switchyard dlq purge --broker default/default --yes`,
  options: {
    broker: { type: 'string' },
    trigger: { type: 'string' },
    type: { type: 'string' },
    since: { type: 'string' },
    code: { type: 'string' },
    limit: { type: 'string' },
    output: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    to: { type: 'string' },
    all: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(values, positionals) {
    const [sub, ...ids] = positionals;
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
      throw new SwitchyardError('SWY_USAGE', `${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`} (expected one of: ${SUBCOMMANDS.join(', ')})`);
    }
    for (const id of ids) if (!/^\d+$/.test(id)) throw new SwitchyardError('SWY_USAGE', `${id} is not a dead-letter id (expected numbers, as dlq list shows)`);
    const base = platformUrl(stringOption(values, 'url'));
    const token = platformToken(stringOption(values, 'token'));
    const output = outputOption(values);

    if (sub === 'list') {
      const query = new URLSearchParams(Object.entries(filterBody(values)).map(([k, v]) => [k, String(v)]));
      const limit = integerOption(values, 'limit', 1, 100_000);
      if (limit !== undefined) query.set('limit', String(limit));
      const body = (await jsonOrError(await request(`${base}/api/v1/dead-letters?${query}`, {}, token), 'listing dead letters')) as { deadLetters: DeadLetterJson[] };
      if (output === 'json') for (const entry of body.deadLetters) consoleOutput.out(JSON.stringify(entry));
      else for (const line of new Table(['ID', 'CREATED', 'TRIGGER', 'TYPE', 'EVENT-ID', 'CODE', 'REASON']).lines(body.deadLetters.map(row))) consoleOutput.out(line);
      return 0;
    }

    if (sub === 'show') {
      if (ids.length !== 1) throw new SwitchyardError('SWY_USAGE', 'dlq show takes exactly one ID');
      const entry = (await jsonOrError(await request(`${base}/api/v1/dead-letters/${ids[0]}`, {}, token), `showing dead letter ${ids[0]}`)) as DeadLetterJson;
      if (output === 'json') consoleOutput.out(JSON.stringify(entry, null, 2));
      else {
        consoleOutput.out(`Dead letter ${entry.id}, ${entry.createdAt}`);
        consoleOutput.out(`  broker   ${entry.broker}`);
        consoleOutput.out(`  trigger  ${entry.trigger}`);
        if (entry.flow !== undefined) consoleOutput.out(`  flow     ${entry.flow}`);
        consoleOutput.out(`  reason   ${entry.reason}`);
        consoleOutput.out(`  dead-letter sink: ${entry.deadLetterSink.state}${entry.deadLetterSink.destination ? ` ${entry.deadLetterSink.destination}` : ''}${entry.deadLetterSink.error ? ` (${entry.deadLetterSink.error})` : ''}`);
        consoleOutput.out('  attempts:');
        for (const attempt of entry.attempts) consoleOutput.out(`    ${attempt.at}  ${attempt.status ?? '-'}  ${attempt.error}`);
        consoleOutput.out('  event:');
        consoleOutput.out(JSON.stringify(entry.event, null, 2).replace(/^/gm, '    '));
      }
      return 0;
    }

    const selection: Record<string, unknown> = { ...filterBody(values), ...(ids.length > 0 ? { ids } : {}), ...(values['all'] === true ? { all: true } : {}) };
    if (Object.keys(selection).length === 0) {
      throw new SwitchyardError('SWY_USAGE', `dlq ${sub} needs a selection: IDs, a filter (--broker, --trigger, --type, --since, --code) or --all (see switchyard dlq --help)`);
    }
    const dryRun = values['dry-run'] === true;
    // Long id lists go in parts; each part (and a large filter) is done in chunks by the platform.
    const parts: Array<Record<string, unknown>> = ids.length === 0 ? [selection] : chunks(ids, ID_PART).map((part) => ({ ...selection, ids: part }));
    if (sub === 'redrive') {
      const to = stringOption(values, 'to');
      const counts = { failed: 0, gone: 0, all: 0 };
      for (const part of parts) {
        await runInChunks<{ results: RedriveResult[] }>(`${base}/api/v1/dead-letters/redrive`, token, { ...part, ...(to ? { to } : {}), dryRun }, to ? SEND_CHUNK : REDRIVE_CHUNK, (answer) => {
          for (const result of answer.results) {
            consoleOutput.out(output === 'json' ? JSON.stringify(result) : `${result.id}  ${result.outcome}  ${result.target}${result.error ? `  ${result.error}` : ''}`);
            counts.all++;
            if (result.outcome === 'failed') counts.failed++;
            if (result.outcome === 'gone') counts.gone++;
          }
          return answer.results.length;
        });
      }
      const goneNote = counts.gone === 0 ? '' : `, taken meanwhile by another redrive or a purge: ${counts.gone}`;
      consoleOutput.err(`${dryRun ? 'would redrive' : 'redriven'}: ${counts.all - counts.failed - counts.gone}, failed: ${counts.failed}${goneNote}`);
      return counts.failed > 0 ? 1 : 0;
    }

    // purge
    if (values['yes'] !== true && !dryRun) {
      let count = 0;
      for (const part of parts) count += ((await post(base, '/api/v1/dead-letters/purge', { ...part, dryRun: true, limit: 1 }, token)) as { total: number }).total;
      throw new SwitchyardError('SWY_USAGE', `purge would delete ${count} dead letter${count === 1 ? '' : 's'}; add --yes to delete them`);
    }
    const purged: string[] = [];
    let deleted = 0;
    for (const part of parts) {
      await runInChunks<{ ids: string[]; purged: number }>(`${base}/api/v1/dead-letters/purge`, token, { ...part, dryRun }, PURGE_CHUNK, (answer) => {
        purged.push(...answer.ids);
        deleted += answer.purged;
        return answer.ids.length;
      });
    }
    if (output === 'json') consoleOutput.out(JSON.stringify({ ids: purged, purged: deleted }));
    else consoleOutput.out(dryRun ? `would purge ${purged.length}: ${purged.join(' ')}` : `purged ${deleted}`);
    return 0;
  },
};
