// Part 4: the panel's list and detail round trips through the real handlers and the headless
// HTTP transport over the large log, and the largest response either produces.
import path from 'node:path';
import { createSagaHandlers } from '../src-main/ipc/saga-handlers';
import { callPanel } from '../src-main/headless/panel-client';
import { startPanelServer } from '../src-main/headless/panel-server';
import { SagaLog } from '../src-main/saga/log/saga-log';
import { SagaEvents } from '../src-main/saga/saga-events';
import type { BenchContext } from './log-bench';
import { median, round } from './stats';

export async function runPanelBench(ctx: BenchContext, distDir: string): Promise<Record<string, number>> {
  const log = SagaLog.open(ctx.largeLogFile());
  const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'bench' });
  const server = await startPanelServer({ handlers, port: 0, panelDir: path.join(distDir, 'renderer') });
  const address = { origin: server.origin, token: server.token };
  const rounds = ctx.quick ? 30 : 101;
  let maxBytes = 0;
  const time = async (channel: 'saga:list' | 'saga:get' | 'saga:counts' | 'saga:recovery-reports', request: (i: number) => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const reply = await callPanel(address, channel, request(i));
      times.push(performance.now() - t0);
      if (reply.status !== 200) throw new Error(`${channel} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      maxBytes = Math.max(maxBytes, reply.bytes);
    }
    return median(times);
  };
  await time('saga:list', () => ({ limit: 50 })); // warm the connection and statement cache
  const list = await time('saga:list', () => ({ limit: 50 }));
  const listPaged = await time('saga:list', (i) => ({ limit: 50, beforeId: ctx.largeSagas - ((i * 4999) % (ctx.largeSagas - 100)) }));
  const listFailed = await time('saga:list', () => ({ limit: 50, state: 'failed' }));
  const detail = await time('saga:get', (i) => ({ sagaId: 1 + ((i * 7919) % ctx.largeSagas) }));
  await time('saga:counts', () => ({}));
  await time('saga:recovery-reports', () => ({ limit: 4 }));
  await server.close();
  log.close();
  console.log(`panel: list50 ${list.toFixed(2)}ms (paged ${listPaged.toFixed(2)}ms, state filter ${listFailed.toFixed(2)}ms), detail ${detail.toFixed(2)}ms, largest response ${maxBytes} bytes`);
  return {
    'panel.list50_ms': round(list),
    'panel.list50_paged_ms': round(listPaged),
    'panel.list50_state_ms': round(listFailed),
    'panel.detail_ms': round(detail),
    'panel.max_response_bytes': maxBytes,
  };
}
