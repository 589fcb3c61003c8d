/** Typed reads of parsed command-line values, each failing with SWY_USAGE and the flag's name. */
import { DURATION_EXPECTED, parseDuration } from '../../schemas/duration.ts';
import { SIZE_EXPECTED, parseSize } from '../../schemas/size.ts';
import { SwitchyardError } from '../errors.ts';
import type { OptionValues } from './command.ts';

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function integerOption(values: OptionValues, name: string, min: number, max: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new SwitchyardError('SWY_USAGE', `--${name} ${text} is not valid (expected a whole number from ${min} to ${max})`);
  }
  return Number(text);
}

export function sizeOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const bytes = parseSize(text);
  if (bytes === undefined) throw new SwitchyardError('SWY_USAGE', `--${name} ${text} is not a size (expected ${SIZE_EXPECTED})`);
  return bytes;
}

export function durationOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new SwitchyardError('SWY_USAGE', `--${name} ${text} is not a duration (expected ${DURATION_EXPECTED}, greater than zero)`);
  return ms;
}

export function required(value: string | undefined, name: string, hint: string): string {
  if (value === undefined || value === '') throw new SwitchyardError('SWY_USAGE', `--${name} is required (${hint})`);
  return value;
}

/** `--output table|json`, table by default. */
export function outputOption(values: OptionValues): 'table' | 'json' {
  const output = stringOption(values, 'output') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new SwitchyardError('SWY_USAGE', `--output ${output} is not a format (expected table or json)`);
  return output;
}

/** A Kubernetes name, or the name of what a flow or source is built from (`sequence:orders:step-1`, see flow-names.ts). */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[a-z0-9]([-a-z0-9.]*[a-z0-9])?)*$/;

/**
 * A `--broker`, `--trigger` or `--channel` value: `NAMESPACE/NAME`, or `NAME` meaning `default/NAME` as in
 * manifests. Checked for its shape only; the platform says whether it exists.
 */
export function resourceOption(values: OptionValues, flag: 'broker' | 'trigger' | 'channel'): string | undefined {
  const value = stringOption(values, flag);
  if (value === undefined) return undefined;
  const [first, second, ...rest] = value.split('/');
  const [namespace, name] = second === undefined ? ['default', first] : [first, second];
  if (rest.length > 0 || namespace === undefined || name === undefined || !NAME.test(namespace) || !NAME.test(name)) {
    throw new SwitchyardError('SWY_USAGE', `--${flag} ${value} is not NAME or NAMESPACE/NAME (like default/default)`);
  }
  return `${namespace}/${name}`;
}

export function brokerOption(values: OptionValues): string | undefined {
  return resourceOption(values, 'broker');
}

export function triggerOption(values: OptionValues): string | undefined {
  return resourceOption(values, 'trigger');
}
