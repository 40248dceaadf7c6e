// Reading a handler's answer in tests: the data of an ok one, or the code of a typed error.
import assert from 'node:assert/strict';
import type { ApiResult } from '../../src-shared/ipc-contract';
import type { HandlerResponse } from '../../src-main/ipc/saga-handlers';

export function ok<T = any>(r: HandlerResponse): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.data as T;
}

export function errCode(r: HandlerResponse): string {
  assert.equal(r.ok, false, 'expected a typed error');
  return (r as Extract<ApiResult<unknown>, { ok: false }>).error.code;
}
