// Counts the commits in a WAL-mode log by reading its -wal file: each commit ends with one frame
// whose "database size after commit" field is set. Frames of an older WAL generation (other salts)
// are skipped. Format: https://www.sqlite.org/fileformat2.html#walformat
import fs from 'node:fs';

export function walCommits(dbFile: string): number {
  const wal = fs.existsSync(`${dbFile}-wal`) ? fs.readFileSync(`${dbFile}-wal`) : Buffer.alloc(0);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salts = wal.subarray(16, 24);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (!wal.subarray(at + 8, at + 16).equals(salts)) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}
