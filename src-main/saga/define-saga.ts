// Saga definitions: a name, an input schema and ordered steps, checked once when defined
// so a malformed saga fails at startup instead of half-way through a live run.
import { z } from 'zod';
import type { StepKind, Target } from '../../src-shared/saga-model';
import type { Command } from './command';

export interface StepContext<I> {
  input: I;
  /** Outputs of the earlier steps, by step index (untrusted when they came from a peer: parse them). */
  outputs: readonly unknown[];
}

export interface StepDefinition<I> {
  name: string;
  target: Target;
  kind: StepKind;
  /**
   * The op this step's command names, when it is always the same: a saga whose declared op no
   * handler serves is refused when it is started, before anything is written.
   */
  op?: string;
  /** The ops the undo may name (it can depend on the step's output), checked the same way. */
  undoOps?: readonly string[];
  // Method syntax on purpose: a SagaDefinition<X> is then usable where SagaDefinition<unknown> is expected.
  command(ctx: StepContext<I>): Command;
  /** Checked before the pending row is written; a command that fails it is never recorded or sent. */
  commandSchema?: z.ZodType;
  /** The undo, built from the step's own command and output. Required for compensatable steps. */
  compensate?(command: Command, output: unknown): Command;
  /** Overrides the coordinator's default deadline for this step (and its undo). */
  deadlineMs?: number;
}

export interface SagaSpec<S extends z.ZodType> {
  name: string;
  input: S;
  /** Top-level input and command fields replaced by "[redacted]" before they are persisted or shown. */
  sensitive?: readonly string[];
  /** The top-level input field that tells two runs apart in a list (a workspace's name, say). */
  keyInput?: string;
  steps: readonly StepDefinition<z.infer<S>>[];
}

export interface SagaDefinition<I = unknown> {
  readonly name: string;
  readonly input: z.ZodType<I>;
  readonly sensitive: readonly string[];
  readonly keyInput?: string;
  readonly steps: readonly StepDefinition<I>[];
}

export class SagaDefinitionError extends Error {
  override readonly name = 'SagaDefinitionError';
}

// Saga names appear in LAUNCHER_CRASH_AT=<saga>:<step>:<point>, so they cannot hold a colon.
const SAGA_NAME = /^[a-z][a-z0-9_]*$/;
const KEY_INPUT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function defineSaga<S extends z.ZodType>(spec: SagaSpec<S>): SagaDefinition<z.infer<S>> {
  const fail = (msg: string): never => {
    throw new SagaDefinitionError(`saga '${spec.name}': ${msg}`);
  };
  if (!SAGA_NAME.test(spec.name)) fail('the name must be lower_snake_case (letters, digits, underscores)');
  if (spec.steps.length === 0) fail('a saga needs at least one step');
  if (spec.keyInput !== undefined && !KEY_INPUT.test(spec.keyInput)) fail(`keyInput '${spec.keyInput}' must be a plain top-level field name`);
  if (spec.keyInput !== undefined && spec.sensitive?.includes(spec.keyInput)) fail(`keyInput '${spec.keyInput}' is sensitive; a list must not show it`);
  const seen = new Set<string>();
  let finalStep: { index: number; name: string } | null = null;
  spec.steps.forEach((step, index) => {
    const label = `step ${index} '${step.name}'`;
    if (step.name.trim() === '') fail(`step ${index} has no name`);
    if (seen.has(step.name)) fail(`${label} repeats a step name; each step needs its own`);
    seen.add(step.name);
    if (step.kind === 'compensatable' && !step.compensate) fail(`${label} is compensatable but has no compensation`);
    if (step.kind !== 'compensatable' && step.compensate) {
      fail(`${label} is ${step.kind} but has a compensation; only compensatable steps are undone`);
    }
    if (finalStep && step.kind !== 'final') {
      fail(`${label} is ${step.kind} but comes after final step ${finalStep.index} '${finalStep.name}'; final steps must come last`);
    }
    if (step.kind === 'final') finalStep ??= { index, name: step.name };
    if (step.op !== undefined && step.op.trim() === '') fail(`${label} declares an empty op`);
    if (step.undoOps !== undefined && step.kind !== 'compensatable') fail(`${label} declares undo ops but is not compensatable`);
    if (step.deadlineMs !== undefined && !(Number.isInteger(step.deadlineMs) && step.deadlineMs > 0)) {
      fail(`${label} has deadlineMs ${step.deadlineMs}; it must be a positive whole number of milliseconds`);
    }
  });
  return Object.freeze({
    name: spec.name,
    input: spec.input as z.ZodType<z.infer<S>>,
    sensitive: Object.freeze([...(spec.sensitive ?? [])]),
    ...(spec.keyInput !== undefined && { keyInput: spec.keyInput }),
    steps: Object.freeze([...spec.steps]),
  });
}
