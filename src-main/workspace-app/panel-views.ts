// main's own part of a workspace: a panel view registered in this process (the Electron host
// would open a window for it). In memory: views belong to this run of main only.
import crypto from 'node:crypto';
import { type CommandHandler, defineHandler } from '../index';
import { RegisterPanelView, UnregisterPanelView } from './domain-commands';

export interface PanelView {
  viewId: string;
  workspaceId: string;
  title: string;
}

export class PanelViews {
  private readonly views = new Map<string, PanelView>();

  register(workspaceId: string, title: string): { viewId: string } {
    const viewId = `view-${crypto.randomUUID()}`;
    this.views.set(viewId, { viewId, workspaceId, title });
    return { viewId };
  }

  /** Idempotent, as an undo must be: an unknown view reports removed: false. */
  unregister(viewId: string): { viewId: string; removed: boolean; workspaceId: string | null; title: string | null } {
    const v = this.views.get(viewId);
    this.views.delete(viewId);
    return { viewId, removed: v !== undefined, workspaceId: v?.workspaceId ?? null, title: v?.title ?? null };
  }

  list(): PanelView[] {
    return [...this.views.values()];
  }
}

/** main's domain operations (and `noop`, for benchmarks), as the app's self handlers. */
export function selfHandlers(views: PanelViews): Record<string, CommandHandler> {
  return {
    register_panel_view: defineHandler(RegisterPanelView, (c) => views.register(c.workspaceId, c.title)),
    unregister_panel_view: defineHandler(UnregisterPanelView, (c) => views.unregister(c.viewId)),
    // Unvalidated on purpose: the benchmark measures the engine, not zod.
    noop: () => ({}),
  };
}
