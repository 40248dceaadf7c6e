// What an app brings to any host (Electron, headless, the CLI): its subsystem options, less the
// host's own choices (the profile folder, how peers are spawned), and its launcher page's runner.
import type { SagaSubsystem, SubsystemOptions } from '../boot/subsystem';
import type { RunLauncherSaga } from './launcher-handler';

export interface SagaApp {
  /** Shown in messages ("<name>: the saga log is read-only ..."). */
  name?: string;
  /** The app's sagas, self handlers and peers, for the profile a host opens. */
  subsystem(profile: AppProfile): Omit<SubsystemOptions, 'userDataDir' | 'spawnPeer'>;
  /** The launcher page's runner; absent, a host serves the panel only. `operator` is the OS user. */
  launcher?(subsystem: SagaSubsystem, context: AppProfile & { operator: string }): RunLauncherSaga;
}

export interface AppProfile {
  /** The profile folder the host opened. */
  userDataDir: string;
}
