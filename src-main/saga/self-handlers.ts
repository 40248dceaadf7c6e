// Handlers for `self` steps: operations main runs in its own process, by op name.
import type { CommandHandler } from './command';

export class SelfHandlers {
  private readonly handlers = new Map<string, CommandHandler>();

  register(op: string, handler: CommandHandler): this {
    if (this.handlers.has(op)) throw new Error(`a self handler for '${op}' is already registered`);
    this.handlers.set(op, handler);
    return this;
  }

  get(op: string): CommandHandler | undefined {
    return this.handlers.get(op);
  }
}
