/** README examples that do not work as written: tables print aligned (services/cli/table.ts), page by page. */
import { describe, expect, it } from 'vitest';
import { Table } from '../../services/cli/table.ts';

describe('Table', () => {
  it('pads each column to its widest cell, two spaces apart, the last column unpadded', () => {
    const table = new Table(['ID', 'TRIGGER', 'REASON']);
    expect(table.lines([['1', 'default/payments', 'retries exhausted'], ['12', 'd/o', 'x']])).toEqual([
      'ID  TRIGGER           REASON',
      '1   default/payments  retries exhausted',
      '12  d/o               x',
    ]);
  });

  it('prints the header once; a later page keeps the columns and only widens them', () => {
    const table = new Table(['OFFSET', 'TYPE', 'ID']);
    expect(table.lines([['1', 'a', 'x']])).toEqual(['OFFSET  TYPE  ID', '1       a     x']);
    expect(table.lines([['1000', 'com.example.long', 'y'], ['1001', 'b', 'z']])).toEqual(['1000    com.example.long  y', '1001    b                 z']);
    expect(table.lines([])).toEqual([]);
  });
});
