import { readFileSync } from 'node:fs';
import { SwitchyardError } from '../errors.ts';

/** The text of FILE, or of standard input for `-`, for an option like `--event FILE|-`. */
export function readInput(source: string, option: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new SwitchyardError('SWY_USAGE', `--${option} ${source} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * The JSON values of an events input: one JSON value, a JSON array of values, or JSON lines.
 * `where` names each value for error messages (`FILE`, `FILE [2]`, `FILE:3`).
 */
export function jsonValues(text: string, source: string): Array<{ readonly value: unknown; readonly where: string }> {
  const trimmed = text.trim();
  try {
    const whole: unknown = JSON.parse(trimmed);
    return Array.isArray(whole) ? whole.map((value, i) => ({ value, where: `${source} [${i}]` })) : [{ value: whole, where: source }];
  } catch {
    return trimmed
      .split('\n')
      .map((line, i) => ({ line: line.trim(), number: i + 1 }))
      .filter(({ line }) => line !== '')
      .map(({ line, number }) => {
        try {
          return { value: JSON.parse(line) as unknown, where: `${source}:${number}` };
        } catch (error) {
          throw new SwitchyardError('SWY_USAGE', `${source}:${number} is not JSON: ${(error as Error).message} (expected one event per line in the JSON event format)`);
        }
      });
  }
}
