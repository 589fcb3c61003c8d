/** Logs each new order and replies with a com.example.order.fulfilled event. */
interface OrderEvent {
  id: string;
  source: string;
  data?: { order?: number; items?: string[] };
}

interface Context {
  logger: { info(fields: object, message: string): void };
}

export default async function fulfilOrder(event: OrderEvent, context: Context) {
  context.logger.info({ order: event.data?.order, event: event.id }, 'fulfilling order');
  return {
    // One reply id per order: a redelivered order (delivery is at least once) gives the same reply id.
    id: `fulfilled-${event.data?.order ?? event.id}`,
    type: 'com.example.order.fulfilled',
    source: '/quickstart/fulfilment',
    subject: String(event.data?.order ?? event.id),
    data: { order: event.data?.order, fulfilledAt: new Date().toISOString() },
  };
}
