// Saga ids reserved outside the log file, in blocks: when the log itself is lost (deleted, or so
// damaged that its highest id cannot be read), the next log still starts above every id issued.
// One small write per block of ids, so starting a saga costs no extra write. The next block is
// written ahead, off the main thread, once half of the current one is issued: an fsync on a busy
// disk took 120 ms, and a saga that crossed a block boundary held the main thread for all of it.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ID_RESERVATION_FILE = 'launcher-sagas.ids';
export const ID_BLOCK = 1000;

const Stored = z.object({ reservedThrough: z.number().int().nonnegative() });

export class IdReservation {
  private through: number;
  private ahead: Promise<void> | null = null;
  /** Each write its own temporary file, so no two writes of this process ever share one. */
  private writes = 0;

  private constructor(
    readonly file: string,
    through: number,
  ) {
    this.through = through;
  }

  /**
   * The reservation kept in `dir`; a missing or unreadable file reserves nothing yet (it is rewritten
   * at the next block). Opened only under the profile lock (boot/open-log.ts), by the one launch that writes it.
   */
  static in(dir: string): IdReservation {
    const file = path.join(dir, ID_RESERVATION_FILE);
    let through = 0;
    try {
      const parsed = Stored.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) through = parsed.data.reservedThrough;
    } catch {
      // No reservation yet, or a torn one: the log's own high-water mark still holds.
    }
    // A launch killed mid-write leaves its temporary file; only this launch writes here (the profile lock).
    try {
      for (const name of fs.readdirSync(dir)) if (name.startsWith(`${ID_RESERVATION_FILE}.tmp-`)) fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      // A folder this launch cannot write is reported by the open that follows, in its own words.
    }
    return new IdReservation(file, through);
  }

  /** Every id at or below this may have been issued by some launch of this profile. */
  get reservedThrough(): number {
    return this.through;
  }

  /**
   * Makes sure `id` is reserved, writing the next block (durably) first when it is not; past half
   * of a block, starts writing the next one in the background.
   */
  ensure(id: number): void {
    if (id > this.through) this.writeNow(id + ID_BLOCK - 1);
    else if (id > this.through - ID_BLOCK / 2 && this.ahead === null) this.ahead = this.writeAhead(this.through + ID_BLOCK);
  }

  /** Settles when no write ahead is under way: shutdown waits for it before it lets the profile go. */
  async settled(): Promise<void> {
    await this.ahead;
  }

  private writeNow(through: number): void {
    const tmp = `${this.file}.tmp-${process.pid}-${++this.writes}`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify({ reservedThrough: through }));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    this.through = through;
  }

  /**
   * The same write, its fsync on libuv's threads. Ids are still issued only up to `through` until
   * it has landed; if a synchronous write overtook it meanwhile, it is dropped rather than renamed
   * over a larger reservation.
   */
  private async writeAhead(through: number): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}-${++this.writes}`;
    try {
      const handle = await fs.promises.open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ reservedThrough: through }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A synchronous write meanwhile reserved at least as far (it only ever writes past `through`).
      if (through <= this.through) {
        await fs.promises.rm(tmp, { force: true });
        return;
      }
      // Synchronous, so nothing can write between the check above and the file taking the new value.
      fs.renameSync(tmp, this.file);
      this.through = through;
    } catch {
      // The next block is then written synchronously when it is needed, as before.
      await fs.promises.rm(tmp, { force: true }).catch(() => {});
    } finally {
      this.ahead = null;
    }
  }
}
