// `node --import ./test/support/import-trace-register.mjs …` records every module the process
// resolves into the file IMPORT_TRACE names, one URL a line (module hooks run on their own thread).
import { register } from 'node:module';

register('./import-trace-hooks.mjs', import.meta.url);
