// The resolve hook of import-trace-register.mjs.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.IMPORT_TRACE) appendFileSync(process.env.IMPORT_TRACE, `${resolved.url}\n`);
  return resolved;
}
