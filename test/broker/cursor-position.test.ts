import { describe, expect, it } from 'vitest';
import { CursorPosition } from '../../services/broker/cursor-position.ts';

describe('CursorPosition', () => {
  it('moves only over a contiguous run of finished offsets', () => {
    const cursor = new CursorPosition(0);
    cursor.handedOut([3, 7, 9, 12]);
    expect(cursor.delivered).toBe(12);
    expect(cursor.finished([7, 9])).toBe(false);
    expect(cursor.acked).toBe(0);
    expect(cursor.finished([3])).toBe(true);
    expect(cursor.acked).toBe(9);
    expect(cursor.outstanding).toBe(1);
    expect(cursor.finished([12])).toBe(true);
    expect(cursor.acked).toBe(12);
    expect(cursor.outstanding).toBe(0);
  });

  it('ignores offsets it never handed out', () => {
    const cursor = new CursorPosition(5);
    cursor.handedOut([6]);
    expect(cursor.finished([100])).toBe(false);
    expect(cursor.acked).toBe(5);
  });

  it('stays correct across compaction of a long history', () => {
    const cursor = new CursorPosition(0);
    const offsets = Array.from({ length: 5000 }, (_, i) => i + 1);
    cursor.handedOut(offsets);
    for (let i = 0; i < 4000; i++) cursor.finished([i + 1]);
    expect(cursor.acked).toBe(4000);
    cursor.finished(offsets.slice(4001));
    expect(cursor.acked).toBe(4000);
    cursor.finished([4001]);
    expect(cursor.acked).toBe(5000);
  });

  it('entries skipped over count as done: at once when nothing is outstanding, else once it is', () => {
    const idle = new CursorPosition(0);
    expect(idle.skippedTo(10)).toBe(true);
    expect(idle.acked).toBe(10);
    expect(idle.delivered).toBe(10);
    expect(idle.skippedTo(8)).toBe(false);

    const busy = new CursorPosition(0);
    busy.handedOut([3]);
    expect(busy.skippedTo(10)).toBe(false);
    expect(busy.acked).toBe(0);
    busy.handedOut([12]);
    expect(busy.finished([3])).toBe(true);
    expect(busy.acked).toBe(3);
    expect(busy.finished([12])).toBe(true);
    expect(busy.acked).toBe(12);
    busy.handedOut([15]);
    busy.skippedTo(20);
    expect(busy.finished([15])).toBe(true);
    expect(busy.acked).toBe(20);
  });
});
