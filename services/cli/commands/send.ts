import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { AttributeValue, CloudEvent } from '../../cloudevents/cloud-event.ts';
import { toBinaryHttp, toStructuredHttp } from '../../cloudevents/http-binding.ts';
import { extensionNameRule, validateAttributes } from '../../cloudevents/validate-attributes.ts';
import { SwitchyardError } from '../../errors.ts';
import { type Command, consoleOutput, type OptionValues } from '../command.ts';
import { brokerOption, required, stringList, stringOption } from '../option-values.ts';
import { jsonOrError, platformToken, platformUrl, request } from '../platform-client.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.csv': 'text/csv',
  '.html': 'text/html',
};

function readData(values: OptionValues): { bytes: Uint8Array | undefined; contentType: string | undefined } {
  const data = stringOption(values, 'data');
  const contentType = stringOption(values, 'content-type');
  if (data === undefined) return { bytes: undefined, contentType };
  if (data.startsWith('@')) {
    const path = data.slice(1);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new SwitchyardError('SWY_USAGE', `--data @${path} cannot be read: ${(error as Error).message}`);
    }
    return { bytes, contentType: contentType ?? CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
  }
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      JSON.parse(data);
    } catch (error) {
      throw new SwitchyardError('SWY_USAGE', `--data is not valid JSON: ${(error as Error).message} (expected JSON, @FILE for a file's bytes, or --content-type text/plain for text)`);
    }
  }
  return { bytes: Buffer.from(data, 'utf8'), contentType: contentType ?? 'application/json' };
}

function target(values: OptionValues): string {
  const broker = brokerOption(values);
  const url = stringOption(values, 'url');
  if (broker === undefined) {
    if (url === undefined) throw new SwitchyardError('SWY_USAGE', '--url URL or --broker [NAMESPACE/]NAME is required (where to publish)');
    return platformUrl(url);
  }
  return `${platformUrl(url)}/${broker}`;
}

export const sendCommand: Command = {
  name: 'send',
  summary: 'Publish one CloudEvent to a broker',
  help: `Usage: switchyard send (--broker [NAMESPACE/]NAME | --url BROKER_URL) --type TYPE [options]

Publishes one CloudEvent over HTTP (binary content mode unless --structured) and prints the
outcome. With --broker, the platform's base URL comes from --url, then SWITCHYARD_URL, then
http://127.0.0.1:8080. Without --broker, --url is the broker's full address.

Options:
      --broker [NS/]NAME    the broker, like default/default; a name alone is in default
      --url URL             the platform's base URL (with --broker) or the broker's address
      --type TYPE           the event's type (required)
      --source URI          the event's source (default /switchyard/cli)
      --id ID               the event's id (default: a new UUID)
      --subject TEXT        the event's subject
      --data JSON | @FILE   the data: JSON text, or @FILE for a file's bytes
      --content-type TYPE   datacontenttype (default application/json for --data JSON,
                            by extension for @FILE)
      --ext NAME=VALUE      an extension attribute (repeatable)
      --structured          send in structured mode (application/cloudevents+json)
      --token TOKEN         the broker's ingress token, when it has any (else SWITCHYARD_TOKEN)
  -h, --help                show this help

Exit status: 0 when the platform answered 2xx, 1 otherwise.

Examples:
  switchyard send --broker default/default --type com.example.order.created --data '{"id":42}'
  switchyard send --url http://127.0.0.1:8080/default/default --type com.example.ping --ext region=eu`,
  options: {
    broker: { type: 'string' },
    url: { type: 'string' },
    type: { type: 'string' },
    source: { type: 'string' },
    id: { type: 'string' },
    subject: { type: 'string' },
    data: { type: 'string' },
    'content-type': { type: 'string' },
    ext: { type: 'string', multiple: true },
    structured: { type: 'boolean' },
    token: { type: 'string' },
  },
  async run(values) {
    const url = target(values);
    const attributes: Record<string, AttributeValue> = {
      specversion: '1.0',
      id: stringOption(values, 'id') ?? randomUUID(),
      source: stringOption(values, 'source') ?? '/switchyard/cli',
      type: required(stringOption(values, 'type'), 'type', 'the CloudEvent type, like com.example.order.created'),
      time: new Date().toISOString(),
    };
    const subject = stringOption(values, 'subject');
    if (subject !== undefined) attributes['subject'] = subject;
    for (const ext of stringList(values, 'ext')) {
      const eq = ext.indexOf('=');
      if (eq <= 0) throw new SwitchyardError('SWY_USAGE', `--ext ${ext} is not NAME=VALUE (like --ext region=eu)`);
      const rule = extensionNameRule(ext.slice(0, eq));
      if (rule !== null) throw new SwitchyardError('SWY_USAGE', `--ext ${ext}: ${rule}`);
      attributes[ext.slice(0, eq)] = ext.slice(eq + 1);
    }
    const { bytes, contentType } = readData(values);
    if (contentType !== undefined) attributes['datacontenttype'] = contentType;
    const violations = validateAttributes(attributes);
    if (violations.length > 0) throw new SwitchyardError('SWY_USAGE', `the event is not valid: ${violations.map((v) => v.rule).join('; ')}`);
    const event: CloudEvent = { attributes, data: bytes };
    const message = values['structured'] === true ? toStructuredHttp(event) : toBinaryHttp(event);
    const response = await request(url, { method: 'POST', headers: message.headers, body: message.body as BodyInit | undefined }, platformToken(stringOption(values, 'token')));
    await jsonOrError(response, `publishing to ${url}`, 'SWY_PUBLISH_REFUSED');
    consoleOutput.out(`${response.status} ${response.statusText || 'Accepted'}: event ${String(attributes['id'])} (${String(attributes['type'])}) to ${url}`);
    return 0;
  },
};
