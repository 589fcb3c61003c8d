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
