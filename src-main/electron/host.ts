// The Electron host for an app: one instance per profile, the shared boot (log -> recovery ->
// the app's peers as utility processes), then IPC, then windows; an orderly quit that gives
// in-flight sagas a bounded grace and leaves the rest to the next launch's recovery.
import { Menu, app, dialog, ipcMain, protocol, session, utilityProcess } from 'electron';
import { DEFAULT_SHUTDOWN_GRACE_MS, type SagaSubsystem, startSagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import type { SagaApp } from '../ipc/saga-app';
import { appMenuTemplate } from './app-menu';
import { APP_SCHEME } from './app-origin';
import { serveAppRequest } from './app-protocol';
import { AppWindows } from './app-windows';
import { servePanelOverIpc } from './serve-panel-ipc';
import { type LaunchArgs, parseLaunchArgs } from './launch-args';
import { createQuitController } from './quit-controller';
import { createSecondLaunchQueue } from './second-launch-queue';
import { type StartupGuard, createStartupGuard } from './startup-guard';
import { createUtilityPeerSpawner } from './utility-peer';
import { hardenSession, hardenWebContents } from './web-security';

export interface ElectronHostOptions {
  /** The built panel (index.html, panel.js, launcher.html, ...). */
  rendererDir: string;
  /** The built preload (preload.js). */
  preloadPath: string;
}

function fail(message: string, exitCode: number): never {
  process.stderr.write(`launcher-saga: ${message}\n`);
  app.exit(exitCode);
  // app.exit does not return in practice; the throw satisfies `never` if it ever did.
  throw new Error(message);
}

/**
 * Runs `sagaApp` as the Electron app: call it once, synchronously, from the app's Electron main
 * entry (privileged schemes must be declared before 'ready').
 */
export function runElectronApp(sagaApp: SagaApp, host: ElectronHostOptions): void {
  // Privileges must be declared before 'ready'. standard: app://panel/ gets a real origin
  // (so 'self' in the CSP means it); secure: treated like https.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

  let launch: LaunchArgs;
  try {
    launch = parseLaunchArgs(process.argv.slice(1), process.cwd());
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), 2);
  }
  // Before the single-instance lock: Electron keys that lock on the userData folder, so two
  // profiles may run side by side while the same profile is refused.
  if (launch.userDataDir) app.setPath('userData', launch.userDataDir);

  // Any throw while starting: shut down what booted, say why (stderr and a box), exit 1.
  const startup = createStartupGuard({
    showError: (title, message) => dialog.showErrorBox(title, message),
    writeError: (line) => process.stderr.write(`launcher-saga: ${line}\n`),
    exit: (code) => app.exit(code),
  });

  if (!app.requestSingleInstanceLock({ sagaPanel: launch.sagaPanel })) {
    process.stdout.write(`launcher-saga: the profile ${app.getPath('userData')} is already open; brought that window forward instead\n`);
    app.exit(0);
  } else {
    void startup.run(() => start(sagaApp, host, launch, startup));
  }
}

async function start(sagaApp: SagaApp, host: ElectronHostOptions, args: LaunchArgs, startup: StartupGuard): Promise<void> {
  const { rendererDir, preloadPath } = host;
  const windows = new AppWindows(preloadPath);
  let booted: SagaSubsystem | null = null;

  // A launch made while booting waits for the windows rather than being dropped.
  const secondLaunches = createSecondLaunchQueue((action) => (action === 'open_panel' ? windows.open('panel') : windows.focusFirst()));
  app.on('second-instance', (_event, _argv, _cwd, additionalData) => secondLaunches.request(additionalData));
  // Every web contents, including any we did not expect to exist, gets the guards.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (booted) windows.focusFirst();
  });

  await app.whenReady();
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));

  booted = await startSagaSubsystem({
    ...sagaApp.subsystem({ userDataDir: app.getPath('userData') }),
    userDataDir: app.getPath('userData'),
    spawnPeer: createUtilityPeerSpawner(utilityProcess),
  });
  const running = booted;
  startup.booted((graceMs) => running.shutdown(graceMs));
  if (running.readOnlyReason) process.stderr.write(`launcher-saga: the saga log is read-only: ${running.readOnlyReason}\n`);

  const quit = createQuitController({
    graceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    shutdown: (graceMs) => running.shutdown(graceMs),
    quit: () => app.quit(),
    onError: (err) => process.stderr.write(`launcher-saga: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`),
  });
  app.on('before-quit', (event) => quit.onBeforeQuit(event));

  const operator = operatorName();
  servePanelOverIpc(running, {
    ipcMain,
    reviewer: operator,
    ...(sagaApp.launcher && { launcher: sagaApp.launcher(running, { userDataDir: app.getPath('userData'), operator }) }),
    knownWebContentsIds: () => windows.knownWebContentsIds(),
    pushTargets: () => windows.panelContents(),
    onRefused: (channel, reason) => process.stderr.write(`launcher-saga: refused a message on ${channel}: ${reason}\n`),
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(
        { openLauncher: () => windows.open('launcher'), openSagaPanel: () => windows.open('panel') },
        { platform: process.platform, developerItems: !app.isPackaged },
      ),
    ),
  );
  windows.open('launcher');
  if (args.sagaPanel) windows.open('panel');
  secondLaunches.ready();
}
