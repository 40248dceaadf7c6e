// The layer table: every source folder, and the layers each may import. Lowest first. A file
// belongs to the layer with the longest matching path. Checked by scripts/check-layers.mjs in
// `npm test`; the model is VS Code's layer rules (common < node < electron-main).
export const LAYERS = [
  { layer: 'shared', paths: ['src-shared/'], may: [], runtime: 'browser', why: 'zod schemas and types for main, preload and renderer: no Node, no DOM, nothing of ours' },
  { layer: 'renderer', paths: ['src-renderer/'], may: ['shared'], runtime: 'browser', why: 'the sandboxed panel: it reaches main only through the preload API' },
  { layer: 'log', paths: ['src-main/saga/log/'], may: ['shared'], why: 'the SQLite saga log' },
  { layer: 'engine', paths: ['src-main/saga/'], may: ['shared', 'log'], why: 'definitions, coordinator, recovery; defines the dispatch port the peers implement' },
  { layer: 'peers', paths: ['src-main/peers/'], may: ['shared', 'engine'], why: 'peer processes: main side and the runPeer runtime; no domain' },
  { layer: 'boot', paths: ['src-main/boot/'], may: ['shared', 'log', 'engine', 'peers'], why: 'the one composition root: lock, open, recover, peers' },
  { layer: 'ipc', paths: ['src-main/ipc/'], may: ['shared', 'log', 'engine', 'boot'], why: 'panel and launcher handlers, independent of transport' },
  { layer: 'headless', paths: ['src-main/headless/'], may: ['shared', 'log', 'engine', 'boot', 'ipc'], why: 'the panel over loopback HTTP' },
  { layer: 'cli', paths: ['src-main/cli/'], may: ['shared', 'log', 'engine', 'boot', 'ipc', 'headless'], why: 'the command line an app ships' },
  { layer: 'electron', paths: ['src-main/electron/'], may: ['shared', 'log', 'engine', 'peers', 'boot', 'ipc'], electron: true, why: "the only layer that imports 'electron'" },
  { layer: 'api', paths: ['src-main/index.ts'], may: ['shared', 'log', 'engine', 'peers', 'boot', 'ipc', 'headless', 'cli'], why: 'the public entry (Node): what an app may use' },
  { layer: 'electron-api', paths: ['src-main/electron/index.ts'], may: ['electron'], electron: true, why: "the public Electron entry ('launcher-saga/electron')" },
  { layer: 'app', paths: ['src-main/workspace-app/'], may: ['api', 'electron-api'], why: 'the workspace app: uses the subsystem only through its public entries' },
];

/** The folders the check walks. */
export const SOURCE_ROOTS = ['src-shared', 'src-renderer', 'src-main'];
