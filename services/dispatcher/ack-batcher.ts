/**
 * The acknowledgements of one cursor made during a turn of the event loop, sent to the log as one
 * call: one per delivered event cost a call, an array, a position update and two promises each
 * (bench:kafka's profile), and every delivery that ends in the same I/O phase can share one.
 * Not awaited by anyone: an outcome is durable before its entry is acknowledged, so a lost
 * acknowledgement only means a redelivery.
 */
export class AckBatcher {
  #offsets: string[] = [];
  #scheduled = false;

  constructor(
    private readonly ack: (offsets: string[]) => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  add(offset: string): void {
    this.#offsets.push(offset);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what was gathered now (a stopping dispatcher calls it after its last delivery). */
  flush(): void {
    this.#scheduled = false;
    if (this.#offsets.length === 0) return;
    const offsets = this.#offsets;
    this.#offsets = [];
    this.ack(offsets).catch(this.failed);
  }
}
