/** pino's levels, as `--log-level` and the platform configuration file take them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
