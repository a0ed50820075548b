/**
 * The step watch's slots (tracing only): an Int32Array shared between the loop and the trace's writer thread, which
 * polls it (see `EventLoop._stepEnd` in core.ts and the writer in threadSink.ts). The loop writes the number of the
 * step under way and whether one is; the thread writes, for a step that has not ended after a couple of polls, its
 * number, so that the loop reads the clock exactly when that step ends. A module of its own so that the writer's
 * early start (writerPreload.ts) does not bring the loop's code with it.
 */
export const WATCH_STEP = 0;
export const WATCH_IN_STEP = 1;
export const WATCH_LONG = 2;
export const WATCH_READY = 3;
export const WATCH_SLOTS = 4;
