/** A payment service that is down: every call fails, so its events end in the dead-letter queue. */
export default async function chargeCard(): Promise<never> {
  throw new Error(`the payment gateway ${process.env.PAYMENT_GATEWAY ?? ''} is unreachable`);
}
