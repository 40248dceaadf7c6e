// Part 4: the panel's list and detail round trips through the real handlers and the headless
// HTTP transport over the large log, and the largest response either produces.
import path from 'node:path';
import { createSagaHandlers } from '../src-main/ipc/saga-handlers';
import { callPanel } from '../src-main/headless/panel-client';
import { startPanelServer } from '../src-main/headless/panel-server';
import { SagaLog } from '../src-main/saga/log/saga-log';
import { SagaEvents } from '../src-main/saga/saga-events';
import { LIMITS } from '../src-shared/ipc-contract';
import type { BenchContext } from './log-bench';
import { median, round } from './stats';
import { waits } from './wait-monitor';

export async function runPanelBench(ctx: BenchContext, distDir: string): Promise<Record<string, number>> {
  const log = SagaLog.open(ctx.largeLogFile());
  // The large log's inputs carry the workspace, as the domain's definitions will declare it.
  const keyInputFields = { open_workspace: 'workspace', close_workspace: 'workspace' };
  const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'bench', keyInputFields });
  const server = await startPanelServer({ handlers, port: 0, panelDir: path.join(distDir, 'renderer') });
  const address = { origin: server.origin, token: server.token };
  const rounds = ctx.quick ? 30 : 101;
  let maxBytes = 0;
  const time = (channel: 'saga:list' | 'saga:get' | 'saga:counts' | 'saga:recovery-reports', request: (i: number) => unknown, what: string = channel) =>
    waits.activity(`panel: ${what} over HTTP`, 'served', '', () => timeRequests(channel, request));
  const timeRequests = async (channel: 'saga:list' | 'saga:get' | 'saga:counts' | 'saga:recovery-reports', request: (i: number) => unknown) => {
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
  // Warms the connection and statement cache; the bench's own client loads undici on its first fetch (tens of ms of CPU in this process).
  await waits.activity('panel: first request (warm-up)', 'excluded', "the bench's HTTP client loads on its first fetch, in the same process", () => timeRequests('saga:list', () => ({ limit: 50 })));
  const list = await time('saga:list', () => ({ limit: 50 }));
  const listPaged = await time('saga:list', (i) => ({ limit: 50, beforeId: ctx.largeSagas - ((i * 4999) % (ctx.largeSagas - 100)) }));
  const listFailed = await time('saga:list', () => ({ limit: 50, state: 'failed' }));
  const detail = await time('saga:get', (i) => ({ sagaId: 1 + ((i * 7919) % ctx.largeSagas) }), 'detail');
  // Partial name: matched against the distinct names (one index seek each), then one index range per name.
  const search = await time('saga:list', () => ({ limit: 50, nameContains: 'open' }), 'name search');
  const searchPaged = await time('saga:list', (i) => ({ limit: 50, nameContains: 'open', beforeId: ctx.largeSagas - ((i * 4999) % (ctx.largeSagas - 100)) }), 'name search');
  // Input text that matches nothing: the worst case, a scan of the whole per-request window.
  const inputSearch = await time('saga:list', (i) => ({ limit: 50, inputContains: 'no such text', beforeId: ctx.largeSagas - ((i * 4999) % (ctx.largeSagas - 100)) }), 'input search');
  const inputHit = await time('saga:list', () => ({ limit: 50, inputContains: 'w9' }), 'input search');
  const timeRange = await time('saga:list', (i) => ({
    limit: 50,
    startedFrom: new Date(Date.parse('2026-01-01T00:00:00Z') + ((i * 7919) % ctx.largeSagas) * 1000).toISOString(),
  }), 'time range');
  await time('saga:counts', () => ({}), 'counts');
  await time('saga:recovery-reports', () => ({ limit: 4 }), 'recovery reports');
  await server.close();
  log.close();
  console.log(`panel: list50 ${list.toFixed(2)}ms (paged ${listPaged.toFixed(2)}ms, state filter ${listFailed.toFixed(2)}ms), detail ${detail.toFixed(2)}ms, largest response ${maxBytes} bytes`);
  console.log(
    `panel search: name part ${search.toFixed(2)}ms (paged ${searchPaged.toFixed(2)}ms), input text ${inputSearch.toFixed(2)}ms per ${LIMITS.inputScanRows}-saga window (a common hit ${inputHit.toFixed(2)}ms), time range ${timeRange.toFixed(2)}ms`,
  );
  return {
    'panel.list50_ms': round(list),
    'panel.list50_paged_ms': round(listPaged),
    'panel.list50_state_ms': round(listFailed),
    'panel.detail_ms': round(detail),
    'panel.search_ms': round(search),
    'panel.search_paged_ms': round(searchPaged),
    'panel.input_search_ms': round(inputSearch),
    'panel.input_search_hit_ms': round(inputHit),
    'panel.time_range_ms': round(timeRange),
    'panel.max_response_bytes': maxBytes,
  };
}
