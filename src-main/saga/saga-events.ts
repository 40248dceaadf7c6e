// Change notifications from the coordinator and recovery, for the panel's live updates.
import { EventEmitter } from 'node:events';
import type { SagaState } from '../../src-shared/saga-model';

export interface SagaChange {
  sagaId: number;
  name: string;
  state: SagaState;
  /** The step whose row changed, when the change was a step's. */
  stepIndex: number | null;
}

export class SagaEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Each open panel subscribes once; many panels must not trip the leak warning.
    this.emitter.setMaxListeners(0);
  }

  /** Never throws: a listener's failure must not stop the saga that is reporting its progress. */
  emit(change: SagaChange): void {
    for (const listener of this.emitter.listeners('change') as ((c: SagaChange) => void)[]) {
      try {
        listener(change);
      } catch (err) {
        process.emitWarning(`a saga change listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (change: SagaChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
