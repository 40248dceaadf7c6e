// The domain's sagas: opening a workspace spans all three targets (srv's store, a session
// process in host, a panel view in main) and publishes it last; closing undoes that in order.
import { z } from 'zod';
import { type Command, CommandFault } from '../saga/command';
import { defineSaga } from '../saga/define-saga';
import {
  CreateWorkspaceOutput,
  RegisterPanelViewOutput,
  StartSessionOutput,
  StopSessionOutput,
  UnregisterPanelViewOutput,
} from './domain-commands';

export const OPEN_STEPS = ['create_workspace', 'start_session', 'register_panel_view', 'publish_workspace'] as const;
export const CLOSE_STEPS = ['check_workspace', 'unregister_panel_view', 'stop_session', 'archive_workspace'] as const;

/** Test/demo hooks: a fault per step name for the step itself (`faults`) or for its undo (`undoFaults`). */
const faultsFor = <const N extends readonly string[]>(names: N) =>
  z.partialRecord(z.enum(names), CommandFault).optional();

/** The hook fields a command carries for `stepName`, if any were asked for. */
function hooks(
  faults: Partial<Record<string, CommandFault>> | undefined,
  undoFaults: Partial<Record<string, CommandFault>> | undefined,
  stepName: string,
): { fault?: CommandFault; undoFault?: CommandFault } {
  const out: { fault?: CommandFault; undoFault?: CommandFault } = {};
  const f = faults?.[stepName];
  const u = undoFaults?.[stepName];
  if (f) out.fault = f;
  if (u) out.undoFault = u;
  return out;
}

/** An undo carries the forward command's undoFault as its own fault. */
function undoHook(cmd: Command): { fault?: CommandFault } {
  const u = CommandFault.safeParse(cmd.undoFault);
  return u.success ? { fault: u.data } : {};
}

export const OpenWorkspaceInput = z.object({
  name: z.string().min(1).max(200),
  owner: z.string().min(1).max(200),
  /** Sensitive: redacted in the log and the panel; srv keeps only its hash. */
  accessToken: z.string().min(1).max(4096).optional(),
  faults: faultsFor(OPEN_STEPS),
  undoFaults: faultsFor(OPEN_STEPS),
});
export type OpenWorkspaceInput = z.infer<typeof OpenWorkspaceInput>;

export const openWorkspace = defineSaga({
  name: 'open_workspace',
  input: OpenWorkspaceInput,
  sensitive: ['accessToken'],
  steps: [
    {
      name: 'create_workspace',
      target: 'srv',
      kind: 'compensatable',
      command: ({ input }) => ({
        op: 'create_workspace',
        name: input.name,
        owner: input.owner,
        accessToken: input.accessToken ?? null,
        ...hooks(input.faults, input.undoFaults, 'create_workspace'),
      }),
      compensate: (cmd, output) => ({
        op: 'delete_workspace',
        workspaceId: CreateWorkspaceOutput.parse(output).workspaceId,
        ...undoHook(cmd),
      }),
    },
    {
      name: 'start_session',
      target: 'host',
      kind: 'compensatable',
      command: ({ input, outputs }) => ({
        op: 'start_session',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId,
        ...hooks(input.faults, input.undoFaults, 'start_session'),
      }),
      compensate: (cmd, output) => ({
        op: 'stop_session',
        sessionId: StartSessionOutput.parse(output).sessionId,
        ...undoHook(cmd),
      }),
    },
    {
      name: 'register_panel_view',
      target: 'self',
      kind: 'compensatable',
      command: ({ input, outputs }) => ({
        op: 'register_panel_view',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId,
        title: input.name,
        ...hooks(input.faults, input.undoFaults, 'register_panel_view'),
      }),
      compensate: (cmd, output) => ({
        op: 'unregister_panel_view',
        viewId: RegisterPanelViewOutput.parse(output).viewId,
        ...undoHook(cmd),
      }),
    },
    {
      name: 'publish_workspace',
      target: 'srv',
      kind: 'final',
      command: ({ input, outputs }) => ({
        op: 'publish_workspace',
        workspaceId: CreateWorkspaceOutput.parse(outputs[0]).workspaceId,
        ...hooks(input.faults, input.undoFaults, 'publish_workspace'),
      }),
    },
  ],
});

export const CloseWorkspaceInput = z.object({
  workspaceId: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200),
  viewId: z.string().min(1).max(200),
  faults: faultsFor(CLOSE_STEPS),
  undoFaults: faultsFor(CLOSE_STEPS),
});
export type CloseWorkspaceInput = z.infer<typeof CloseWorkspaceInput>;

export const closeWorkspace = defineSaga({
  name: 'close_workspace',
  input: CloseWorkspaceInput,
  steps: [
    {
      name: 'check_workspace',
      target: 'srv',
      kind: 'read_only',
      command: ({ input }) => ({
        op: 'get_workspace',
        workspaceId: input.workspaceId,
        ...hooks(input.faults, input.undoFaults, 'check_workspace'),
      }),
    },
    {
      name: 'unregister_panel_view',
      target: 'self',
      kind: 'compensatable',
      command: ({ input }) => ({
        op: 'unregister_panel_view',
        viewId: input.viewId,
        ...hooks(input.faults, input.undoFaults, 'unregister_panel_view'),
      }),
      // Only a view that was really removed is put back; re-registering it gives it a new id.
      compensate: (cmd, output) => {
        const out = UnregisterPanelViewOutput.parse(output);
        if (!out.removed || out.workspaceId === null || out.title === null) return { op: 'noop', ...undoHook(cmd) };
        return { op: 'register_panel_view', workspaceId: out.workspaceId, title: out.title, ...undoHook(cmd) };
      },
    },
    {
      name: 'stop_session',
      target: 'host',
      kind: 'compensatable',
      command: ({ input }) => ({
        op: 'stop_session',
        sessionId: input.sessionId,
        ...hooks(input.faults, input.undoFaults, 'stop_session'),
      }),
      compensate: (cmd, output) => {
        const out = StopSessionOutput.parse(output);
        if (!out.stopped || out.workspaceId === null) return { op: 'noop', ...undoHook(cmd) };
        return { op: 'start_session', workspaceId: out.workspaceId, ...undoHook(cmd) };
      },
    },
    {
      name: 'archive_workspace',
      target: 'srv',
      kind: 'final',
      command: ({ input }) => ({
        op: 'archive_workspace',
        workspaceId: input.workspaceId,
        ...hooks(input.faults, input.undoFaults, 'archive_workspace'),
      }),
    },
  ],
});
