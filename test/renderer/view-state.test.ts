// The panel's view in the URL: what a link carries, what a hand-edited one still opens, and
// which list request a view makes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMPTY_VIEW, idJump, listKey, listRequestFor, parseHash, toHash } from '../../src-renderer/view-state';

describe('view state in the hash', () => {
  test('a full view survives the round trip through the URL', () => {
    const view = {
      state: 'failed_compensation' as const,
      q: 'open',
      input: 'ws 1',
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-02T10:00:00.000Z',
      hideReviewed: true,
      recovery: 'boot-9',
      before: 420,
      page: 3,
      saga: 77,
    };
    assert.deepEqual(parseHash(toHash(view)), view);
    assert.equal(toHash(EMPTY_VIEW), '');
    assert.deepEqual(parseHash(''), EMPTY_VIEW);
  });

  test('a bad field is dropped alone; a cursor without a page number is page 2', () => {
    const view = parseHash('#state=exploded&q=ok&before=-4&saga=12&from=yesterday');
    assert.deepEqual(view, { hideReviewed: false, page: 1, q: 'ok', saga: 12 });
    assert.deepEqual(parseHash('#after=10'), { hideReviewed: false, page: 2, after: 10 });
    assert.equal(parseHash('#before=10&after=20').after, undefined, 'one cursor only');
  });

  test('a number or #number is an id jump, not a name', () => {
    assert.equal(idJump('#42'), 42);
    assert.equal(idJump(' 42 '), 42);
    assert.equal(idJump('open42'), null);
    assert.equal(idJump('#0'), null);
    assert.equal(listRequestFor({ ...EMPTY_VIEW, q: '#42' }, 50).nameContains, undefined);
  });

  test('the request follows the view, and the open saga does not change what the list is for', () => {
    const view = { ...EMPTY_VIEW, state: 'running' as const, q: 'open', input: 'x', after: 9, page: 2 };
    assert.deepEqual(listRequestFor(view, 50), { limit: 50, hideReviewed: false, state: 'running', nameContains: 'open', inputContains: 'x', afterId: 9 });
    assert.equal(listKey({ ...view, saga: 1 }), listKey(view));
    assert.notEqual(listKey({ ...view, page: 3 }), listKey(view));
  });
});
