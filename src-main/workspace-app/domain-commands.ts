// The domain's commands and outputs, one schema each: main builds commands with them and the
// handlers (in main or in a peer) parse what they receive with the same schemas.
import { z } from 'zod';
const cmd = <Op extends string, Shape extends z.ZodRawShape>(op: Op, shape: Shape) => z.object({ op: z.literal(op), ...shape });

const WorkspaceId = z.string().min(1).max(200);

export const CreateWorkspace = cmd('create_workspace', {
  name: z.string().min(1).max(200),
  owner: z.string().min(1).max(200),
  accessToken: z.string().max(4096).nullable(),
});
export const DeleteWorkspace = cmd('delete_workspace', { workspaceId: WorkspaceId });
export const GetWorkspace = cmd('get_workspace', { workspaceId: WorkspaceId });
export const PublishWorkspace = cmd('publish_workspace', { workspaceId: WorkspaceId });
export const ArchiveWorkspace = cmd('archive_workspace', { workspaceId: WorkspaceId });
export const ListWorkspaces = cmd('list_workspaces', {});

export const StartSession = cmd('start_session', { workspaceId: WorkspaceId });
export const StopSession = cmd('stop_session', { sessionId: z.string().min(1).max(200) });
export const ListSessions = cmd('list_sessions', {});

export const RegisterPanelView = cmd('register_panel_view', { workspaceId: WorkspaceId, title: z.string().min(1).max(200) });
export const UnregisterPanelView = cmd('unregister_panel_view', { viewId: z.string().min(1).max(200) });

export const Noop = cmd('noop', { payload: z.unknown().optional() });

export const CreateWorkspaceOutput = z.object({ workspaceId: WorkspaceId });
export const StartSessionOutput = z.object({ sessionId: z.string(), pid: z.number().int() });
export const StopSessionOutput = z.object({ sessionId: z.string(), stopped: z.boolean(), workspaceId: z.string().nullable() });
export const RegisterPanelViewOutput = z.object({ viewId: z.string() });
export const UnregisterPanelViewOutput = z.object({
  viewId: z.string(),
  removed: z.boolean(),
  workspaceId: z.string().nullable(),
  title: z.string().nullable(),
});
