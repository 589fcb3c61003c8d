import type { CloudEvent } from '../../cloudevents/cloud-event.ts';
import type { PackedRows } from './sqlite-writer-protocol.ts';

/** Events waiting for the next commit, kept in columns so that packing them is a few copies. */
export class PendingRows {
  count = 0;
  readonly brokerIds: number[] = [];
  readonly attributes: string[] = [];
  readonly events: CloudEvent[] = [];
  readonly encodings: number[] = [];
  #dataBytes = 0;

  add(brokerId: number, event: CloudEvent, attributes: string, encoding: number): void {
    this.brokerIds.push(brokerId);
    this.events.push(event);
    this.attributes.push(attributes);
    this.encodings.push(encoding);
    this.#dataBytes += event.data?.byteLength ?? 0;
    this.count++;
  }

  pack(): PackedRows {
    // Not Buffer.allocUnsafe: its pooled memory cannot be transferred to another thread.
    const data = new Uint8Array(new ArrayBuffer(this.#dataBytes));
    const dataOffsets = new Int32Array(this.count + 1);
    const hasData = new Uint8Array(this.count);
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      dataOffsets[i] = offset;
      const bytes = this.events[i]?.data;
      if (bytes !== undefined) {
        data.set(bytes, offset);
        offset += bytes.byteLength;
        hasData[i] = 1;
      }
    }
    dataOffsets[this.count] = offset;
    return {
      count: this.count,
      brokerIds: Int32Array.from(this.brokerIds),
      attributes: this.attributes.join('\n'),
      dataEncodings: Uint8Array.from(this.encodings),
      dataOffsets,
      hasData,
      data: data.buffer,
    };
  }
}
