/** Step 2: reserves the items; nobody stocks unobtainium, so such an order fails here. */
import { enriched, type OrderEvent } from './order.ts';

export default async function reserveStock(event: OrderEvent) {
  if (event.data.items.includes('unobtainium')) throw new Error('unobtainium is out of stock');
  return enriched(event, { ...event.data, reserved: event.data.items }, 'com.example.order.processed');
}
