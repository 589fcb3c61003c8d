/** Typed reads of parsed command-line values, each failing with SWY_USAGE and the flag's name. */
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

/** `--broker NAMESPACE/NAME`, checked for its shape. */
export function brokerOption(values: OptionValues): string | undefined {
  const broker = stringOption(values, 'broker');
  if (broker !== undefined && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(broker)) {
    throw new SwitchyardError('SWY_USAGE', `--broker ${broker} is not NAMESPACE/NAME (like default/default)`);
  }
  return broker;
}
