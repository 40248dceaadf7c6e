// Saga ids reserved outside the log file, in blocks: when the log itself is lost (deleted, or so
// damaged that its highest id cannot be read), the next log still starts above every id issued.
// One small synchronous write per block of ids, so starting a saga costs no extra write.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ID_RESERVATION_FILE = 'launcher-sagas.ids';
export const ID_BLOCK = 1000;

const Stored = z.object({ reservedThrough: z.number().int().nonnegative() });

export class IdReservation {
  private through: number;

  private constructor(
    readonly file: string,
    through: number,
  ) {
    this.through = through;
  }

  /** The reservation kept in `dir`; a missing or unreadable file reserves nothing yet (it is rewritten at the next block). */
  static in(dir: string): IdReservation {
    const file = path.join(dir, ID_RESERVATION_FILE);
    let through = 0;
    try {
      const parsed = Stored.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) through = parsed.data.reservedThrough;
    } catch {
      // No reservation yet, or a torn one: the log's own high-water mark still holds.
    }
    return new IdReservation(file, through);
  }

  /** Every id at or below this may have been issued by some launch of this profile. */
  get reservedThrough(): number {
    return this.through;
  }

  /** Makes sure `id` is reserved, writing the next block (durably) first when it is not. */
  ensure(id: number): void {
    if (id <= this.through) return;
    const through = id + ID_BLOCK - 1;
    const tmp = `${this.file}.tmp-${process.pid}`;
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
}
