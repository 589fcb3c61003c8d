import { describe, expect, it } from 'vitest';
import { KeyQueues, orderingKeyOf } from '../../services/dispatcher/ordering/key-queues.ts';

describe('KeyQueues', () => {
  it('lets one item of a key out at a time, the rest in the order offered; other keys go ahead', () => {
    const queues = new KeyQueues<string>();
    expect(queues.offer('a', 'a1')).toBe(true);
    expect(queues.offer('a', 'a2')).toBe(false);
    expect(queues.offer('b', 'b1')).toBe(true);
    expect(queues.offer('a', 'a3')).toBe(false);
    expect(queues.waiting).toBe(2);
    expect(queues.activeKeys).toBe(2);
    expect(queues.done('a')).toBe('a2');
    expect(queues.done('b')).toBeUndefined();
    expect(queues.offer('b', 'b2')).toBe(true);
    expect(queues.done('a')).toBe('a3');
    expect(queues.done('a')).toBeUndefined();
    expect(queues.offer('a', 'a4')).toBe(true);
    expect(queues.waiting).toBe(0);
    queues.clear();
    expect(queues.activeKeys).toBe(0);
  });
});

describe('orderingKeyOf', () => {
  it('is the attribute as text; events without it share one key, distinct from any value', () => {
    expect(orderingKeyOf({ partitionkey: 'k1' }, 'partitionkey')).toBe(orderingKeyOf({ partitionkey: 'k1', id: 'x' }, 'partitionkey'));
    expect(orderingKeyOf({ seq: 1 }, 'seq')).toBe(orderingKeyOf({ seq: '1' }, 'seq'));
    expect(orderingKeyOf({}, 'partitionkey')).toBe(orderingKeyOf({ id: 'y' }, 'partitionkey'));
    expect(orderingKeyOf({}, 'partitionkey')).not.toBe(orderingKeyOf({ partitionkey: '' }, 'partitionkey'));
    // Not an attribute inherited from Object.prototype.
    expect(orderingKeyOf({}, 'constructor')).toBe(orderingKeyOf({}, 'partitionkey'));
  });
});
