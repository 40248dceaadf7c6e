// The demo's and the tests' fault injection, kept out of the shipped vocabulary: no saga input
// or command carries a fault. Main writes a plan for one saga into the profile (keyed by op, or
// by `#<stepIndex>` for one row of the saga when several steps share an op)
// right after the saga starts; the app's handlers, wrapped by withFaults, read it by the saga id
// every step carries. With no plan for a saga, the wrapped handler is the real one.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CommandHandler } from '../index';

export const Fault = z.enum(['error', 'hang', 'garbage', 'exit']);
export type Fault = z.infer<typeof Fault>;

const PlanFile = z.record(z.string(), Fault);
export type SagaFaults = z.infer<typeof PlanFile>;

export const FAULT_PLAN_DIR = 'fault-plans';

/**
 * Plans written by this process, by profile folder: main's own (self) handlers read them from
 * memory, so a self step pays no file read; only peer processes read the files.
 */
const writtenHere = new Map<string, Map<number, SagaFaults>>();

export class FaultPlan {
  readonly dir: string;

  constructor(userDataDir: string) {
    this.dir = path.join(userDataDir, FAULT_PLAN_DIR);
  }

  private file(sagaId: number): string {
    return path.join(this.dir, `${sagaId}.json`);
  }

  /** Written whole and renamed, so a reader sees the old plan or the new one, never half. */
  set(sagaId: number, faults: SagaFaults): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file(sagaId)}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(PlanFile.parse(faults)));
    fs.renameSync(tmp, this.file(sagaId));
    this.mine().set(sagaId, faults);
  }

  clear(sagaId: number): void {
    fs.rmSync(this.file(sagaId), { force: true });
    this.mine().delete(sagaId);
  }

  private mine(): Map<number, SagaFaults> {
    let plans = writtenHere.get(this.dir);
    if (!plans) writtenHere.set(this.dir, (plans = new Map()));
    return plans;
  }

  /** The fault this process planned for row `stepIndex` or `op` of saga `sagaId`: no file is read. */
  getPlannedHere(sagaId: number, op: string, stepIndex: number): Fault | undefined {
    const plan = writtenHere.get(this.dir)?.get(sagaId);
    return plan?.[`#${stepIndex}`] ?? plan?.[op];
  }

  /** The fault planned for row `stepIndex` or for `op` in saga `sagaId`, if any. A plan that cannot be read is an error, never "no fault". */
  get(sagaId: number, op: string, stepIndex: number): Fault | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file(sagaId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const plan = PlanFile.parse(JSON.parse(text));
    return plan[`#${stepIndex}`] ?? plan[op];
  }
}

/** Where a wrapped handler runs: faults that only a separate process can act out need a peer. */
export type FaultSite = 'self' | 'peer';

/** Blocks the whole event loop (a real hang, no CPU burnt) but still exits once the parent is gone. */
function hangUntilParentGone(): never {
  const parent = process.ppid;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    Atomics.wait(cell, 0, 0, 200);
    // Re-parenting means the parent died even if its pid was reused.
    if (process.ppid !== parent) process.exit(0);
  }
}

/** A reply main cannot parse, naming the step it was meant for so main can tell whose it was. */
function sendGarbage(sagaId: number, stepIndex: number): void {
  const message = { type: 'reply', ok: 'perhaps', output: 'not a reply', sagaId, stepIndex };
  const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void } }).parentPort;
  if (parentPort) parentPort.postMessage(message);
  else if (process.send && process.connected) process.send(message);
}

export function withFaults(handlers: Record<string, CommandHandler>, plan: FaultPlan, site: FaultSite): Record<string, CommandHandler> {
  const wrapped: Record<string, CommandHandler> = {};
  for (const [op, handler] of Object.entries(handlers)) {
    wrapped[op] = (command, ctx) => {
      // Main writes every plan, so its own handlers need no file; a peer reads the plan main wrote.
      const fault = site === 'self' ? plan.getPlannedHere(ctx.sagaId, op, ctx.stepIndex) : plan.get(ctx.sagaId, op, ctx.stepIndex);
      if (fault === undefined) return handler(command, ctx);
      if (fault === 'error') throw new Error(`injected failure of '${op}' (fault hook)`);
      if (site === 'self') {
        if (fault === 'hang') return new Promise(() => {});
        throw new Error(`fault hook '${fault}' only applies to peer steps`);
      }
      if (fault === 'exit') process.exit(70);
      if (fault === 'hang') hangUntilParentGone();
      sendGarbage(ctx.sagaId, ctx.stepIndex);
      // The garbage gets this peer restarted; the real reply must never follow it.
      return new Promise(() => {});
    };
  }
  return wrapped;
}
