// The operations srv offers: workspaces in its own store.
import { type CommandHandler, defineHandler } from '../index';
import {
  ArchiveWorkspace,
  CreateWorkspace,
  DeleteWorkspace,
  GetWorkspace,
  ListWorkspaces,
  Noop,
  PublishWorkspace,
} from './domain-commands';
import type { WorkspaceStore } from './workspace-store';

export function srvHandlers(store: WorkspaceStore): Record<string, CommandHandler> {
  return Object.fromEntries<CommandHandler>([
    // The four that change the store record their receipt in the same transaction (ATOMIC_OPS).
    ['create_workspace', defineHandler(CreateWorkspace, (c, ctx) => store.create(c.name, c.owner, c.accessToken, ctx.receipt))],
    ['delete_workspace', defineHandler(DeleteWorkspace, (c, ctx) => store.delete(c.workspaceId, ctx.receipt))],
    ['get_workspace', defineHandler(GetWorkspace, (c) => store.get(c.workspaceId))],
    ['publish_workspace', defineHandler(PublishWorkspace, (c, ctx) => store.publish(c.workspaceId, ctx.receipt))],
    ['archive_workspace', defineHandler(ArchiveWorkspace, (c, ctx) => store.archive(c.workspaceId, ctx.receipt))],
    ['list_workspaces', defineHandler(ListWorkspaces, () => store.list())],
    ['noop', defineHandler(Noop, () => ({}))],
  ]);
}
