/** Step 0: an order without items ends here (no reply ends the Sequence for that event). */
import { type Context, enriched, type OrderEvent } from './order.ts';

export default async function validateOrder(event: OrderEvent, context: Context) {
  if (!Array.isArray(event.data?.items) || event.data.items.length === 0) {
    context.logger.info({ order: event.data?.order }, 'order has no items: dropped');
    return undefined;
  }
  return enriched(event, { ...event.data, validated: true });
}
