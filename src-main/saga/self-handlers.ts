// Handlers by op name: main's `self` handlers, and the check every handler set an app gives
// goes through (main's and each peer's): each op once, each handler a function.
import { z } from 'zod';
import type { CommandHandler } from './command';

export type HandlersOption =
  | Record<string, CommandHandler>
  | ReadonlyMap<string, CommandHandler>
  | readonly (readonly [string, CommandHandler])[];

const HandlerEntries = z.array(
  z.tuple([z.string().min(1, 'needs a non-empty op name'), z.custom<CommandHandler>((v) => typeof v === 'function', 'is not a function')]),
);

/** Checks an app's handlers: each op once, each a function. Throws a sentence naming what is wrong. */
export function handlerMap(handlers: HandlersOption): Map<string, CommandHandler> {
  const entries: [string, unknown][] = Array.isArray(handlers)
    ? handlers.map((e) => [e[0], e[1]] as [string, unknown])
    : handlers instanceof Map
      ? [...handlers.entries()]
      : Object.entries(handlers);
  const parsed = HandlerEntries.safeParse(entries);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const op = typeof issue.path[0] === 'number' ? entries[issue.path[0]]?.[0] : undefined;
    throw new Error(`the handler${op === undefined ? '' : ` for '${String(op)}'`} ${issue.message}`);
  }
  const map = new Map<string, CommandHandler>();
  for (const [op, h] of parsed.data) {
    if (map.has(op)) throw new Error(`two handlers were given for '${op}'; each op needs exactly one`);
    map.set(op, h);
  }
  return map;
}

export class SelfHandlers {
  private readonly handlers = new Map<string, CommandHandler>();

  static from(handlers: HandlersOption | undefined): SelfHandlers {
    const self = new SelfHandlers();
    if (handlers) for (const [op, h] of handlerMap(handlers)) self.register(op, h);
    return self;
  }

  register(op: string, handler: CommandHandler): this {
    if (this.handlers.has(op)) throw new Error(`a self handler for '${op}' is already registered`);
    this.handlers.set(op, handler);
    return this;
  }

  get(op: string): CommandHandler | undefined {
    return this.handlers.get(op);
  }
}
