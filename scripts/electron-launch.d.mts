import type { ElectronBinary } from './electron-binary.mjs';

export function needsNoSandbox(platform: NodeJS.Platform, euid: number | null): boolean;
export function displayProblem(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null;
export function electronArgs(
  appPath: string,
  args: readonly string[],
  options: { platform: NodeJS.Platform; euid: number | null; noSandbox?: boolean },
): string[];
export type StartHost = { host: 'electron'; binary: string; args: string[] } | { host: 'headless'; reason: string };
export function chooseStartHost(options: {
  found: ElectronBinary;
  appPath: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  euid: number | null;
}): StartHost;
export function currentEuid(): number | null;
