// The -wal file's bound. SQLite starts the WAL over at the first write after a checkpoint copied
// all of it; with journal_size_limit, that write also cuts a longer file back to the limit (one
// ftruncate, no sync, no lock anyone waits on), in the commit of whichever connection starts it
// over, so main's connection and the checkpoint worker's both carry it.
// 16,384 pages (64 MB at 4 KB): a bound after bursts (a retention pass once left 200 MB), not a
// size the WAL is cut to in normal use. Cut back to 1,000 pages, the WAL was truncated and grown
// again at every start-over of a busy log, and a step cost 10-15% more (side by side in the log bench).
export const WAL_SIZE_LIMIT_PAGES = 16_384;

export const walSizeLimitPragma = (bytes: number) => `journal_size_limit = ${Math.floor(bytes)}`;
