// Who is at the keyboard, for both hosts: a review is recorded as this name, and workspaces
// the launcher opens are owned by it.
import os from 'node:os';

/** The OS user running the host; 'operator' when the system cannot say (no passwd entry). */
export function operatorName(): string {
  try {
    return os.userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}
