// The domain's sagas: opening a workspace spans all three targets (srv's store, a session
// process in host, a panel view in main) and publishes it last; closing undoes that in order.
import { z } from 'zod';
import { defineSaga } from '../index';
import {
  CreateWorkspaceOutput,
  RegisterPanelViewOutput,
  StartSessionOutput,
  StopSessionOutput,
  UnregisterPanelViewOutput,
} from './domain-commands';

export const OPEN_STEPS = ['create_workspace', 'start_session', 'register_panel_view', 'publish_workspace'] as const;
export const CLOSE_STEPS = ['check_workspace', 'unregister_panel_view', 'stop_session', 'archive_workspace'] as const;

export const OpenWorkspaceInput = z.object({
  name: z.string().min(1).max(200),
  owner: z.string().min(1).max(200),
  /** Sensitive: redacted in the log and the panel; srv keeps only its hash. */
  accessToken: z.string().min(1).max(4096).optional(),
});
export type OpenWorkspaceInput = z.infer<typeof OpenWorkspaceInput>;

export const openWorkspace = defineSaga({
  name: 'open_workspace',
  input: OpenWorkspaceInput,
  sensitive: ['accessToken'],
  keyInput: 'name',
  steps: [
    {
      name: 'create_workspace',
      target: 'srv',
      kind: 'compensatable',
      op: 'create_workspace',
      undoOps: ['delete_workspace'],
      command: ({ input }) => ({
        op: 'create_workspace',
        name: input.name,
        owner: input.owner,
        accessToken: input.accessToken ?? null
      }),
      compensate: (_cmd, output) => ({
        op: 'delete_workspace',
        workspaceId: CreateWorkspaceOutput.parse(output).workspaceId
      }),
    },
    {
      name: 'start_session',
      target: 'host',
      kind: 'compensatable',
      op: 'start_session',
      undoOps: ['stop_session'],
      command: ({ outputs }) => ({
        op: 'start_session',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId
      }),
      compensate: (_cmd, output) => ({
        op: 'stop_session',
        sessionId: StartSessionOutput.parse(output).sessionId
      }),
    },
    {
      name: 'register_panel_view',
      target: 'self',
      kind: 'compensatable',
      op: 'register_panel_view',
      undoOps: ['unregister_panel_view'],
      command: ({ input, outputs }) => ({
        op: 'register_panel_view',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId,
        title: input.name
      }),
      compensate: (_cmd, output) => ({
        op: 'unregister_panel_view',
        viewId: RegisterPanelViewOutput.parse(output).viewId
      }),
    },
    {
      name: 'publish_workspace',
      target: 'srv',
      kind: 'final',
      op: 'publish_workspace',
      command: ({ outputs }) => ({
        op: 'publish_workspace',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId
      }),
    },
  ],
});

export const CloseWorkspaceInput = z.object({
  workspaceId: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200),
  viewId: z.string().min(1).max(200),
});
export type CloseWorkspaceInput = z.infer<typeof CloseWorkspaceInput>;

export const closeWorkspace = defineSaga({
  name: 'close_workspace',
  input: CloseWorkspaceInput,
  keyInput: 'workspaceId',
  steps: [
    {
      name: 'check_workspace',
      target: 'srv',
      kind: 'read_only',
      op: 'get_workspace',
      command: ({ input }) => ({
        op: 'get_workspace',
        workspaceId: input.workspaceId
      }),
    },
    {
      name: 'unregister_panel_view',
      target: 'self',
      kind: 'compensatable',
      op: 'unregister_panel_view',
      undoOps: ['register_panel_view', 'noop'],
      command: ({ input }) => ({
        op: 'unregister_panel_view',
        viewId: input.viewId
      }),
      // Only a view that was really removed is put back; re-registering it gives it a new id.
      compensate: (_cmd, output) => {
        const out = UnregisterPanelViewOutput.parse(output);
        if (!out.removed || out.workspaceId === null || out.title === null) return { op: 'noop' };
        return { op: 'register_panel_view', workspaceId: out.workspaceId, title: out.title };
      },
    },
    {
      name: 'stop_session',
      target: 'host',
      kind: 'compensatable',
      op: 'stop_session',
      undoOps: ['start_session', 'noop'],
      command: ({ input }) => ({
        op: 'stop_session',
        sessionId: input.sessionId
      }),
      compensate: (_cmd, output) => {
        const out = StopSessionOutput.parse(output);
        if (!out.stopped || out.workspaceId === null) return { op: 'noop' };
        return { op: 'start_session', workspaceId: out.workspaceId };
      },
    },
    {
      name: 'archive_workspace',
      target: 'srv',
      kind: 'final',
      op: 'archive_workspace',
      command: ({ input }) => ({
        op: 'archive_workspace',
        workspaceId: input.workspaceId
      }),
    },
  ],
});
