// Every error the page shows says what happened and what to do next, in plain words.
import type { ApiError } from '../src-shared/ipc-contract';

export function explain(error: ApiError): string {
  switch (error.code) {
    case 'unreachable':
      // A refusal of the token means the host is up again at the same port with another address.
      return /\b401\b/.test(error.message)
        ? 'The app was restarted with a new panel address; open the address it printed (this tab cannot reconnect by itself).'
        : 'The app is not running; relaunch it, and this tab reconnects.';
    case 'not_found':
      return `${error.message} It may have been removed by retention; pick another saga.`;
    case 'read_only':
      return `${error.message} Nothing can be saved while the log is read-only.`;
    case 'conflict':
      return `${error.message} Reload to see its current state.`;
    case 'busy':
      return 'The app is busy; try again in a moment.';
    case 'forbidden':
      return 'The app does not trust this page; open the panel from the app menu or from the address the app printed.';
    case 'bad_request':
    case 'unknown_channel':
      return `The app refused the request (${error.message}) Reload the page; if it persists, the page and the app are from different versions.`;
    default:
      return `${error.message} Try again; if it persists, the app's log says more.`;
  }
}
