/**
 * CESQL evaluation speed: the compiled expression
 *   type = 'com.example.order.created' AND source LIKE '%/orders%' AND EXISTS customerid
 * against a hand-written TypeScript function doing the same checks, on the same events (half
 * match, half fail at one of the three checks), in the same process, in alternating rounds so
 * that drift on a shared machine hits both alike. Target (issue #4): ≥ 0.5 × the function.
 *
 * Usage: npm run bench:cesql [-- --rounds 7 --evaluations 2000000]
 */
import { compileCesql } from '../services/cesql/cesql.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROUNDS = arg('rounds', 7);
const EVALUATIONS = arg('evaluations', 2_000_000);

const EXPRESSION = "type = 'com.example.order.created' AND source LIKE '%/orders%' AND EXISTS customerid";
const compiled = compileCesql(EXPRESSION);
if (!compiled.ok) throw new Error(compiled.error.message);
const expression = compiled.expression;

function handWritten(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes['type'] === 'com.example.order.created' && String(attributes['source']).includes('/orders') && attributes['customerid'] !== undefined;
}

const base = { specversion: '1.0', id: 'e-1', time: '2026-11-24T10:00:00Z', datacontenttype: 'application/json' };
const events: Array<Readonly<Record<string, unknown>>> = [
  { ...base, type: 'com.example.order.created', source: 'https://shop.example/orders/eu', customerid: 'c-1' },
  { ...base, type: 'com.example.order.created', source: '/api/orders', customerid: 'c-2' },
  { ...base, type: 'com.example.order.updated', source: 'https://shop.example/orders/eu', customerid: 'c-1' },
  { ...base, type: 'com.example.order.created', source: 'https://shop.example/billing', customerid: 'c-1' },
  { ...base, type: 'com.example.order.created', source: 'https://shop.example/orders/us' },
  { ...base, type: 'com.example.order.created', source: 'https://shop.example/orders/us', customerid: 'c-3' },
];

for (const event of events) {
  if (expression.matches(event) !== handWritten(event)) throw new Error(`the expression and the function disagree on ${JSON.stringify(event)}`);
}

function run(check: (attributes: Readonly<Record<string, unknown>>) => boolean): number {
  let matched = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVALUATIONS; i++) if (check(events[i % events.length] as Readonly<Record<string, unknown>>)) matched++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (matched !== (EVALUATIONS / events.length) * 3 && EVALUATIONS % events.length === 0) throw new Error(`unexpected match count ${matched}`);
  return EVALUATIONS / seconds;
}

const cesql: number[] = [];
const typescript: number[] = [];
// Warm-up: let both be optimised before measuring.
run((a) => expression.matches(a));
run(handWritten);
for (let round = 0; round < ROUNDS; round++) {
  cesql.push(run((a) => expression.matches(a)));
  typescript.push(run(handWritten));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ratios = cesql.map((c, i) => c / (typescript[i] as number));
console.log(`expression: ${EXPRESSION}`);
console.log(`${EVALUATIONS.toLocaleString('en')} evaluations per round, ${ROUNDS} rounds, half the events matching, node ${process.version}`);
console.log(`compiled CESQL   median ${(median(cesql) / 1e6).toFixed(2)} M evaluations/s`);
console.log(`hand-written TS  median ${(median(typescript) / 1e6).toFixed(2)} M evaluations/s`);
console.log(`ratio            median ${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.50)`);
