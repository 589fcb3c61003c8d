/** Receives processed orders from the broker (the Sequence's reply) and logs them. */
import type { Context, OrderEvent } from './order.ts';

export default async function shipOrder(event: OrderEvent, context: Context) {
  context.logger.info({ order: event.data.order, total: event.data.total, reserved: event.data.reserved }, 'shipping order');
}
