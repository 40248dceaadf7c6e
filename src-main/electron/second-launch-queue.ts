// A second launch on the profile hands its request to the first instance and exits at once. If
// the first is still booting (recovery, peers) there is no window to answer with yet, so the
// request waits here and is answered once the windows are open: it is never dropped.
import { z } from 'zod';

/** What a second launch hands the first one (requestSingleInstanceLock's additionalData). */
export const SecondLaunch = z.object({ sagaPanel: z.boolean() });
export type SecondLaunch = z.infer<typeof SecondLaunch>;

export type SecondLaunchAction = 'open_panel' | 'focus';

/**
 * `--saga-panel` opens the panel; anything else brings the app forward. Data that does not
 * parse (another build's launch, say) is still a launch the user made, so it is answered too.
 */
export function secondLaunchAction(additionalData: unknown): SecondLaunchAction {
  return SecondLaunch.safeParse(additionalData).data?.sagaPanel ? 'open_panel' : 'focus';
}

export interface SecondLaunchQueue {
  /** The second-instance listener's body: answered now once ready, held until then. */
  request(additionalData: unknown): void;
  /** Boot is done and the windows are open: answers what waited, in arrival order. */
  ready(): void;
  /** Requests still waiting. */
  readonly pending: number;
}

export function createSecondLaunchQueue(apply: (action: SecondLaunchAction) => void): SecondLaunchQueue {
  const waiting: SecondLaunchAction[] = [];
  let isReady = false;
  return {
    request(additionalData) {
      const action = secondLaunchAction(additionalData);
      if (isReady) apply(action);
      else waiting.push(action);
    },
    ready() {
      if (isReady) return;
      isReady = true;
      for (const action of waiting.splice(0)) apply(action);
    },
    get pending() {
      return waiting.length;
    },
  };
}
