// The packaging config's invariants, read through electron-builder's own loader and schema
// validator, so the test sees exactly what `npm run dist` would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { type Configuration, PlatformPackager } from 'app-builder-lib';
import FpmTarget from 'app-builder-lib/out/targets/FpmTarget';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util/out/DebugLogger';
import { minimatch } from 'minimatch';

const root = path.resolve(__dirname, '..', '..');
let config: Configuration;

before(async () => {
  config = await getConfig(root, 'electron-builder.yml', null);
});

const asList = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** electron-builder's reading of `files`: in when a pattern takes it and no `!` pattern drops it. */
function packed(file: string): boolean {
  // The loader normalises `files` to FileSets ({ filter: [...] }); plain strings are accepted too.
  const sets = Array.isArray(config.files) ? config.files : [config.files];
  const patterns = sets.flatMap((set) => (set && typeof set === 'object' ? asList(set.filter) : asList(set)));
  const positive = patterns.filter((p) => !p.startsWith('!'));
  const negative = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const hit = (p: string) => minimatch(file, p, { dot: true });
  return positive.some(hit) && !negative.some(hit);
}

function targetsOf(platform: unknown): string[] {
  const target = (platform as { target?: unknown } | null)?.target;
  return asList(target).map((t) => (typeof t === 'string' ? t : String((t as { target?: unknown }).target)));
}

describe('electron-builder.yml', () => {
  test("passes electron-builder's own schema validation", async () => {
    await validateConfiguration(config, new DebugLogger(false));
  });

  test('names the app and points main at the built entry', () => {
    assert.match(String(config.appId), /^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    assert.ok(config.productName);
    assert.equal((config.extraMetadata as { main?: string }).main, 'dist/electron/main.js');
  });

  test('builds AppImage and deb, dmg, and nsis', () => {
    assert.deepEqual(targetsOf(config.linux).sort(), ['AppImage', 'deb']);
    assert.deepEqual(targetsOf(config.mac), ['dmg']);
    assert.deepEqual(targetsOf(config.win), ['nsis']);
  });

  test('every icon it names exists and is a PNG of at least 512x512', () => {
    for (const platform of [config.linux, config.mac, config.win]) {
      const icon = (platform as { icon?: string }).icon;
      assert.ok(icon, 'each platform names an icon');
      const png = fs.readFileSync(path.join(root, icon));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(png.readUInt32BE(16) >= 512 && png.readUInt32BE(20) >= 512, `${icon} is at least 512x512`);
    }
  });

  test('unpacks the native SQLite module from the asar', () => {
    assert.notEqual(config.asar, false);
    const unpack = asList(config.asarUnpack);
    for (const binary of [
      'node_modules/better-sqlite3/prebuilds/linux-x64.node',
      'node_modules/better-sqlite3/prebuilds/win32-x64.node',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]) {
      assert.ok(unpack.some((p) => minimatch(binary, p, { dot: true })), `${binary} is unpacked`);
    }
  });

  test('packs the built output and nothing of sources, tests or source maps', () => {
    for (const file of ['dist/electron/main.js', 'dist/electron/preload.js', 'dist/peers/host.js', 'dist/renderer/panel.html']) {
      assert.equal(packed(file), true, `${file} is packed`);
    }
    for (const file of [
      'src-main/electron/main.ts',
      'src-shared/saga-model.ts',
      'src-renderer/panel.ts',
      'test/electron/builder-config.test.ts',
      'e2e/panel.spec.ts',
      'bench/run.ts',
      'scripts/build.mjs',
      'dist/electron/main.js.map',
      'build/icon.png',
    ]) {
      assert.equal(packed(file), false, `${file} is not packed`);
    }
  });

  test('flips the fuses: no run-as-node, no NODE_OPTIONS, no inspector, asar only and checked', () => {
    assert.ok(config.electronFuses, 'electronFuses is set');
    assert.deepEqual(
      {
        runAsNode: config.electronFuses.runAsNode,
        enableNodeOptionsEnvironmentVariable: config.electronFuses.enableNodeOptionsEnvironmentVariable,
        enableNodeCliInspectArguments: config.electronFuses.enableNodeCliInspectArguments,
        enableEmbeddedAsarIntegrityValidation: config.electronFuses.enableEmbeddedAsarIntegrityValidation,
        onlyLoadAppFromAsar: config.electronFuses.onlyLoadAppFromAsar,
      },
      {
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
      },
    );
  });

  test("the .deb depends on electron-builder's whole default list, plus GBM and ALSA", () => {
    // A `depends` list replaces the default rather than adding to it; the default is read
    // from electron-builder itself, so an upgrade that grows it fails here until we follow.
    const defaults = (FpmTarget.prototype as unknown as { getDefaultDepends(target: string): string[] }).getDefaultDepends('deb');
    assert.ok(defaults.includes('libgtk-3-0'), `electron-builder's default deb list still names GTK: ${defaults.join(', ')}`);
    const depends = asList(config.deb?.depends);
    for (const pkg of [...defaults, 'libgbm1', 'libasound2']) assert.ok(depends.includes(pkg), `deb.depends names ${pkg}`);
    assert.equal(new Set(depends).size, depends.length, 'no package is named twice');
  });

  test('re-signs the app ad hoc after flipping the fuses, as electron-builder hands it to @electron/fuses', async () => {
    assert.equal(config.electronFuses?.resetAdHocDarwinSignature, true);
    // The fuse configuration electron-builder builds from ours and passes to flipFuses.
    const generate = (PlatformPackager.prototype as unknown as { generateFuseConfig(f: unknown): Promise<Record<string, unknown>> }).generateFuseConfig;
    const fuseConfig = await generate.call(null, config.electronFuses);
    assert.equal(fuseConfig.resetAdHocDarwinSignature, true);
  });
});
