/** A recorder's frame sink that keeps every frame in memory, for tests of the wire between program and host. */
import type { FrameSink } from '../src/runtime/recorder';

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export class MemorySink implements FrameSink {
  frames: Uint8Array[] = [];
  /** False: event frames are refused (as a sink over its bound), essential ones still kept. */
  accept = true;
  write(parts: readonly Uint8Array[], essential: boolean): boolean {
    if (!essential && !this.accept) return false;
    // The parts are only valid during the call (the recorder reuses its buffer): keep a copy.
    this.frames.push(concat(parts));
    return true;
  }
  drain(): void {}
  /** Every frame kept, in order, as one stream. */
  bytes(): Uint8Array {
    return concat(this.frames);
  }
}
