export type ElectronBinary = { binary: string } | { binary: null; reason: string };
export function findElectronBinary(root: string, env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): ElectronBinary;
