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

  emit(change: SagaChange): void {
    this.emitter.emit('change', change);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (change: SagaChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
