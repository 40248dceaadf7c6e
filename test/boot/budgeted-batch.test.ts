import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BudgetedBatch } from '../../src-main/saga/log/budgeted-batch';

describe('BudgetedBatch', () => {
  test('starts where asked, never above the most allowed', () => {
    assert.equal(new BudgetedBatch(4, 300, 16).size, 16);
    assert.equal(new BudgetedBatch(4, 7, 16).size, 7);
  });

  test('one slow unit shrinks the next at once to fit the budget', () => {
    const b = new BudgetedBatch(4, 300, 200);
    b.record(200, 40); // 0.2 ms an item: 3 ms of the 4 ms budget fits 15
    assert.equal(b.size, 15);
  });

  test('fast units grow it by at most a quarter each, up to the most allowed', () => {
    const b = new BudgetedBatch(4, 300, 16);
    const sizes: number[] = [];
    for (let i = 0; i < 30; i++) {
      b.record(b.size, b.size * 0.001);
      sizes.push(b.size);
    }
    assert.equal(sizes[0], 20);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! <= Math.ceil(sizes[i - 1]! * 1.25), `step ${i}: ${sizes[i - 1]} -> ${sizes[i]}`);
    assert.equal(sizes.at(-1), 300);
  });

  test('a cheap unit after a slow one does not bring the slow size back', () => {
    const b = new BudgetedBatch(4, 300, 300);
    b.record(300, 30); // 0.1 ms an item
    const afterSlow = b.size;
    b.record(afterSlow, afterSlow * 0.01); // ten times cheaper
    assert.ok(b.size <= Math.ceil(afterSlow * 1.25), `${afterSlow} -> ${b.size}`);
    assert.ok(b.size * 0.1 <= 4, `were the slow cost to return, ${b.size} items would still fit the 4 ms budget`);
  });

  test('a unit that did nothing teaches nothing', () => {
    const b = new BudgetedBatch(4, 300, 50);
    b.record(0, 100);
    assert.equal(b.size, 50);
  });
});
