/**
 * `import * as asyncio from 'coroutine-trace'`: asyncio's programming model for TypeScript.
 * See the README's "Runtime API" section for how each function differs from Python, where it must.
 */
export { coroutine, Coroutine, Future, Task, getRunningLoop } from './core';
export type { TaskOptions, TaskSource, ClockKind } from './core';
export {
  run,
  createTask,
  currentTask,
  allTasks,
  ensureFuture,
  sleep,
  gather,
  waitFor,
  wait,
  asCompleted,
  shield,
  taskGroup,
  TaskGroup,
  GatheringFuture,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ALL_COMPLETED,
} from './api';
export type { Awaitable, RunOptions, GatherOptions, WaitOptions, WaitResult, ReturnWhen } from './api';
export {
  Queue,
  PriorityQueue,
  LifoQueue,
  Lock,
  Event,
  Condition,
  Semaphore,
  BoundedSemaphore,
  compareItems,
} from './sync';
export type { ResourceOptions } from './sync';
export {
  CancelledError,
  TimeoutError,
  InvalidStateError,
  RuntimeError,
  ExceptionGroup,
  QueueEmpty,
  QueueFull,
  DeadlockError,
} from './errors';

import { NOT_NOW, ctAwait, ctHeld, ctNow, ctSite, ctStmt } from './core';
import { installTracingFromEnv } from './tracing';

// The bundler's instrumentation calls these before each await and runtime call (see runner/instrument.ts).
(globalThis as Record<string, unknown>).__ct_await = ctAwait;
(globalThis as Record<string, unknown>).__ct_site = ctSite;
(globalThis as Record<string, unknown>).__ct_stmt = ctStmt;
(globalThis as Record<string, unknown>).__ct_now = ctNow;
(globalThis as Record<string, unknown>).__ct_held = ctHeld;
(globalThis as Record<string, unknown>).__ct_NOT = NOT_NOW;
installTracingFromEnv();
