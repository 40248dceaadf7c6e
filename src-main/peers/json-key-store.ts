// Applied idempotency keys in a small JSON file, for peers without a database of their own.
// Written whole to a temporary file and renamed, so a crash leaves the old or the new record, never half.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { KeyStore } from './peer-runtime';

const KeyFile = z.record(z.string(), z.object({ op: z.string(), output: z.unknown(), appliedAt: z.string() }));

export class JsonKeyStore implements KeyStore {
  private readonly keys: z.infer<typeof KeyFile>;

  constructor(private readonly file: string) {
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // A record we cannot read must stop the peer: treating it as empty would re-apply every key.
    this.keys = text === null ? {} : KeyFile.parse(JSON.parse(text));
  }

  lookup(key: string): { output: unknown } | undefined {
    const entry = this.keys[key];
    return entry ? { output: entry.output } : undefined;
  }

  record(key: string, op: string, output: unknown): void {
    if (this.keys[key]) return;
    this.keys[key] = { op, output, appliedAt: new Date().toISOString() };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(this.keys));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}
