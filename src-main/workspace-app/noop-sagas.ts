// Sagas that do nothing but move through the engine: the benchmark's measure of what the
// coordinator adds to the log's own writes (self) and of a round trip through real peers.
import { z } from 'zod';
import { defineSaga } from '../index';

/** Three self steps that do nothing: the benchmark's measure of what the engine adds to the log. */
export const noopSelfSaga = defineSaga({
  name: 'noop_self',
  input: z.object({}),
  steps: [
    { name: 'noop_1', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) },
    { name: 'noop_2', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) },
    { name: 'noop_3', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) },
  ],
});

/** One no-op step on each target: the round-trip cost of a step through real peers. */
export const noopPeersSaga = defineSaga({
  name: 'noop_peers',
  input: z.object({}),
  steps: [
    { name: 'noop_srv', target: 'srv', kind: 'read_only', command: () => ({ op: 'noop' }) },
    { name: 'noop_host', target: 'host', kind: 'read_only', command: () => ({ op: 'noop' }) },
    { name: 'noop_self', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) },
  ],
});
