// Over 10,000 malformed requests across every channel, from a seeded generator: the
// handlers never throw, every answer is a typed error, and the log file does not change.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CHANNEL_NAMES, CHANNEL_SCHEMAS, ErrorCode, ErrorResponse } from '../../src-shared/ipc-contract';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';
import { writeCompleted, writeFailedCompensation, writeInterrupted } from './panel-fixtures';

/** mulberry32: small, fast, and the same sequence on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['limit', 'state', 'name', 'hideReviewed', 'beforeId', 'sagaId', 'field', 'stepIndex', 'note', 'reviewedBy', '__proto__', 'constructor', 'toString', ''];

function generator(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (): string => {
    switch (int(6)) {
      case 0:
        return '';
      case 1:
        return pick(['running', 'failed_compensation', 'cmd', 'input', 'output', 'saga:list', 'DROP TABLE launcher_saga;--']);
      case 2:
        return String.fromCharCode(...Array.from({ length: int(40) }, () => int(0x10000)));
      case 3:
        return 'x'.repeat(int(20_000));
      case 4:
        return '\u0000\ud800"\\<script>';
      default:
        return Math.random === rnd ? '' : String(int(1e9));
    }
  };
  const num = (): number =>
    pick([0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 201, 1e300, -0, int(500)]);
  const value = (depth: number): unknown => {
    switch (int(depth > 2 ? 7 : 10)) {
      case 0:
        return null;
      case 1:
        return undefined;
      case 2:
        return num();
      case 3:
        return str();
      case 4:
        return rnd() < 0.5;
      case 5:
        return BigInt(int(100));
      case 6:
        return Symbol('s');
      case 7:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      case 8:
        return record(depth + 1);
      default: {
        // Something a structured clone or JSON parse would never produce, but a hostile caller might.
        const cyclic: Record<string, unknown> = { limit: 5 };
        cyclic.self = cyclic;
        return pick([cyclic, new Date(0), new Map(), () => 1, Object.create(null)]);
      }
    }
  };
  const record = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    // defineProperty: '__proto__' becomes an own key, as JSON.parse would make it.
    for (let i = int(4); i >= 0; i--) Object.defineProperty(o, pick(KEYS), { value: value(depth), enumerable: true, configurable: true, writable: true });
    return o;
  };
  /** A valid-looking request with one thing wrong, or anything at all. */
  const request = (): unknown => {
    switch (int(4)) {
      case 0:
        return value(0);
      case 1:
        return record(0);
      case 2: {
        const base: Record<string, unknown> = pick([{ limit: 10 }, { sagaId: 1 }, { sagaId: 1, note: 'n' }, { sagaId: 1, field: 'cmd', stepIndex: 0 }, {}]);
        return Object.defineProperty({ ...base }, pick(KEYS), { value: value(1), enumerable: true, configurable: true, writable: true });
      }
      default: {
        const hostile = new Proxy(
          {},
          {
            get() {
              throw new Error('boom');
            },
            ownKeys() {
              throw new Error('boom');
            },
          },
        );
        return pick([hostile, { limit: hostile }, [hostile]]);
      }
    }
  };
  return { request, str, pick, int };
}

function fileHash(file: string): string {
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';
}

function isValid(channel: (typeof CHANNEL_NAMES)[number], req: unknown): boolean {
  try {
    return CHANNEL_SCHEMAS[channel].request.safeParse(req).success;
  } catch {
    return false;
  }
}

test('10,000+ malformed requests: no throw, only typed errors, the log unchanged', async () => {
  const file = path.join(tempDir('panel-fuzz-'), LOG_FILE_NAME);
  const log = SagaLog.open(file);
  for (let i = 0; i < 5; i++) writeCompleted(log);
  writeFailedCompensation(log);
  writeInterrupted(log);
  log.checkpoint();
  const before = { db: fileHash(file), wal: fileHash(`${file}-wal`), rows: JSON.stringify(log.recent({ limit: 100 })), max: log.maxSagaId() };

  const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'fuzz' });
  const gen = generator(20260523);
  const codes = new Map<string, number>();
  let sent = 0;
  let skippedValid = 0;
  const check = async (channel: string, req: unknown, trusted: boolean) => {
    const answer = await handlers.handle(channel, req, { trusted });
    const parsed = ErrorResponse.safeParse(answer);
    assert.ok(parsed.success, `not a typed error on ${channel}: ${JSON.stringify(answer)?.slice(0, 200)}`);
    assert.ok(parsed.data.error.message.length > 0 && parsed.data.error.message.length <= 400);
    codes.set(parsed.data.error.code, (codes.get(parsed.data.error.code) ?? 0) + 1);
    sent++;
  };

  for (const channel of CHANNEL_NAMES) {
    let n = 0;
    while (n < 1800) {
      const req = gen.request();
      // The generator can stumble on a valid request (e.g. {} for counts); those are not malformed.
      if (isValid(channel, req)) {
        skippedValid++;
        continue;
      }
      await check(channel, req, true);
      n++;
    }
  }
  for (let i = 0; i < 600; i++) await check(`saga:${gen.str().slice(0, 30)}x`, gen.request(), true);
  for (let i = 0; i < 600; i++) await check(gen.pick(CHANNEL_NAMES), { limit: 5 }, false);

  assert.ok(sent >= 10_000, `only ${sent} requests sent`);
  assert.ok(skippedValid < sent / 10, `generator produced ${skippedValid} valid requests`);
  assert.ok((codes.get('bad_request') ?? 0) >= 1800 * CHANNEL_NAMES.length);
  assert.equal(codes.get('unknown_channel'), 600);
  assert.equal(codes.get('forbidden'), 600);
  for (const code of codes.keys()) assert.ok(ErrorCode.options.includes(code as ErrorCode));

  assert.equal(fileHash(file), before.db, 'the log file changed');
  assert.equal(fileHash(`${file}-wal`), before.wal, 'the WAL changed');
  assert.equal(JSON.stringify(log.recent({ limit: 100 })), before.rows);
  assert.equal(log.maxSagaId(), before.max);
  log.close();
});
