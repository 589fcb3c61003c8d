/** The order as it moves through the pipeline: each step adds its part. */
export interface Order {
  order: number;
  items: string[];
  validated?: boolean;
  total?: number;
  reserved?: string[];
}

export interface OrderEvent {
  id: string;
  type: string;
  source: string;
  data: Order;
}

export interface Context {
  logger: { info(fields: object, message: string): void };
}

/** The event a step replies with: the same event (same id, so a redelivery is recognisable), its data enriched. */
export function enriched(event: OrderEvent, data: Order, type = event.type) {
  return { id: event.id, type, source: event.source, data };
}
