// The committed state of a WAL-mode SQLite file as one byte image, read with plain file reads.
// Any SQLite connection to the file, read-only included, creates a missing -shm and rebuilds a
// crash-left one; a reader that must change no byte beside the file (diag) applies the -wal's
// committed frames itself. Format: https://www.sqlite.org/fileformat2.html#walformat
import fs from 'node:fs';

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `s`. */
function checksum(data: Buffer, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s1, s2] = s;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s1 = (s1 + x0 + s2) >>> 0;
    s2 = (s2 + x1 + s1) >>> 0;
  }
  return [s1, s2];
}

/**
 * The database image with every committed -wal frame applied, as SQLite itself would read it:
 * frames count up to the last commit frame whose salts and checksum chain are intact (a torn or
 * stale tail is ignored). Returns `db` unchanged when the -wal holds no valid committed frame.
 */
export function applyWal(db: Buffer, wal: Buffer): Buffer {
  if (wal.length < WAL_HEADER) return db;
  const magic = wal.readUInt32BE(0);
  if (magic !== MAGIC_LE && magic !== MAGIC_BE) return db;
  const bigEndian = magic === MAGIC_BE;
  const pageSize = wal.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return db;
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let sum = checksum(wal.subarray(0, 24), bigEndian, [0, 0]);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) return db;

  // Pages written since the last commit frame seen so far, and the committed state.
  let pending: [number, Buffer][] = [];
  const committed = new Map<number, Buffer>();
  let committedPages = 0;
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    const header = wal.subarray(at, at + FRAME_HEADER);
    const page = wal.subarray(at + FRAME_HEADER, at + FRAME_HEADER + pageSize);
    if (header.readUInt32BE(8) !== salt1 || header.readUInt32BE(12) !== salt2) break;
    sum = checksum(header.subarray(0, 8), bigEndian, sum);
    sum = checksum(page, bigEndian, sum);
    if (sum[0] !== header.readUInt32BE(16) || sum[1] !== header.readUInt32BE(20)) break;
    const pageNo = header.readUInt32BE(0);
    if (pageNo === 0) break;
    pending.push([pageNo, page]);
    const sizeAfterCommit = header.readUInt32BE(4);
    if (sizeAfterCommit > 0) {
      for (const [n, p] of pending) committed.set(n, p);
      pending = [];
      committedPages = sizeAfterCommit;
    }
  }
  if (committedPages === 0) return db;
  const image = Buffer.alloc(committedPages * pageSize);
  db.copy(image, 0, 0, Math.min(db.length, image.length));
  for (const [n, p] of committed) if (n <= committedPages) p.copy(image, (n - 1) * pageSize);
  return image;
}

/**
 * Reads `file` and its -wal into one image without opening either through SQLite. A live writer
 * may restart its -wal meanwhile: the -wal is read again after the file, and the pair is read
 * anew until both -wal reads agree.
 */
export function readCommittedImage(file: string): Buffer {
  const walFile = `${file}-wal`;
  const readWal = (): Buffer => {
    try {
      return fs.readFileSync(walFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    }
  };
  let wal = readWal();
  for (let attempt = 0; ; attempt++) {
    const db = fs.readFileSync(file);
    const again = readWal();
    if (attempt >= 4 || (again.length >= wal.length && again.subarray(0, WAL_HEADER).equals(wal.subarray(0, WAL_HEADER)))) {
      return applyWal(db, again);
    }
    wal = again;
  }
}
