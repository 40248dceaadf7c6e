// The built preload (dist/electron/preload.js) run as a renderer would run it under the app's
// CSP: in a context where strings cannot become code. zod must never try `new Function` there
// (a strict CSP reports even a caught attempt), and its schemas must still parse answers.
// `electron` is a stand-in object: only contextBridge and ipcRenderer are reached.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { PANEL_API_GLOBAL, type SagaPanelApi } from '../../src-shared/ipc-contract';

const PRELOAD = path.resolve(__dirname, '..', '..', 'dist', 'electron', 'preload.js');

test('the preload bundle never constructs a Function, and its schemas parse under a no-eval policy', async () => {
  assert.ok(fs.existsSync(PRELOAD), 'the build ran (dist/electron/preload.js exists)');
  const exposed = new Map<string, unknown>();
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
    ipcRenderer: {
      invoke: async () => ({ ok: true, data: { running: 1, compensating: 0, failedCompensation: 2, unreviewed: 2 } }),
      on: () => {},
      removeListener: () => {},
    },
  };
  const constructed: unknown[][] = [];
  const context = vm.createContext(
    { require: (id: string) => (id === 'electron' ? electron : assert.fail(`the preload required '${id}'`)), module: { exports: {} }, console },
    { codeGeneration: { strings: false, wasm: false } },
  );
  // Count every `new Function(...)`, the probe zod makes unless it is jitless.
  vm.runInContext(
    'globalThis.Function = new Proxy(Function, { construct(target, args) { __constructed.push(args); return Reflect.construct(target, args); } });',
    Object.assign(context, { __constructed: constructed }),
  );
  vm.runInContext(`(function (exports, module, require) {${fs.readFileSync(PRELOAD, 'utf8')}\n})(module.exports, module, require);`, context, { filename: PRELOAD });

  const api = exposed.get(PANEL_API_GLOBAL) as SagaPanelApi | undefined;
  assert.ok(api, 'the panel API was exposed');
  // The answer's objects belong to the other context; JSON makes them comparable here.
  assert.deepEqual(JSON.parse(JSON.stringify(await api.counts())), { ok: true, data: { running: 1, compensating: 0, failedCompensation: 2, unreviewed: 2 } });
  assert.deepEqual(constructed, [], 'zod never probed new Function');
});
