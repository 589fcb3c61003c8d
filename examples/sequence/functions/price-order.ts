/** Step 1: prices each item at 10, except gold at 100. */
import { enriched, type OrderEvent } from './order.ts';

export default async function priceOrder(event: OrderEvent) {
  const total = event.data.items.reduce((sum, item) => sum + (item === 'gold' ? 100 : 10), 0);
  return enriched(event, { ...event.data, total });
}
