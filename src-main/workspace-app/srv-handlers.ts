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
    ['create_workspace', defineHandler(CreateWorkspace, (c) => store.create(c.name, c.owner, c.accessToken))],
    ['delete_workspace', defineHandler(DeleteWorkspace, (c) => store.delete(c.workspaceId))],
    ['get_workspace', defineHandler(GetWorkspace, (c) => store.get(c.workspaceId))],
    ['publish_workspace', defineHandler(PublishWorkspace, (c, ctx) => store.publish(c.workspaceId, ctx.idempotencyKey))],
    ['archive_workspace', defineHandler(ArchiveWorkspace, (c, ctx) => store.archive(c.workspaceId, ctx.idempotencyKey))],
    ['list_workspaces', defineHandler(ListWorkspaces, () => store.list())],
    ['noop', defineHandler(Noop, () => ({}))],
  ]);
}
