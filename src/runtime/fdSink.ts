/**
 * Sends recorder frames to the host over a file descriptor (the pipe the runner opened as fd 3) without ever
 * blocking the program: the descriptor is switched to non-blocking mode, and what the pipe cannot take now waits in
 * a bounded queue. Past the bound, event frames are dropped and counted; `drain` (at exit) waits briefly.
 */
import * as fs from 'fs';
import * as net from 'net';
import type { FrameSink } from './recorder';

export class FdSink implements FrameSink {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private broken = false;
  private readonly socket: net.Socket | null;

  constructor(
    private readonly fd: number,
    private readonly maxQueuedBytes = 256 * 1024 * 1024,
  ) {
    // Opening the descriptor as a socket makes libuv set O_NONBLOCK on it; we then write with writeSync, which
    // returns EAGAIN instead of blocking when the host is behind. The socket itself is never used for I/O.
    let socket: net.Socket | null = null;
    try {
      socket = new net.Socket({ fd, readable: false, writable: true });
      socket.unref();
      socket.on('error', () => undefined);
    } catch {
      socket = null;
    }
    this.socket = socket;
  }

  write(parts: readonly Uint8Array[], essential: boolean): boolean {
    if (this.broken) return essential;
    if (this.queue.length > 0) this.tryDrain();
    let total = 0;
    for (const p of parts) total += p.length;
    let written = 0;
    if (this.queue.length === 0) {
      // The usual case: the pipe takes the whole frame in one call, straight from the recorder's buffers.
      written = this.writePartsSome(parts);
      if (written === total) return true;
    } else if (!essential && this.queuedBytes + total > this.maxQueuedBytes) {
      return false;
    }
    // Keep a copy of what is left (a frame already begun must be finished, whatever the bound).
    const rest = new Uint8Array(total - written);
    let skip = written;
    let at = 0;
    for (const p of parts) {
      if (skip >= p.length) {
        skip -= p.length;
        continue;
      }
      rest.set(skip > 0 ? p.subarray(skip) : p, at);
      at += p.length - skip;
      skip = 0;
    }
    this.queue.push(rest);
    this.queuedBytes += rest.length;
    return true;
  }

  /** Writes what the pipe takes now, without waiting. */
  tryDrain(): void {
    while (this.queue.length > 0 && !this.broken) {
      const head = this.queue[0];
      const written = this.writeSome(head);
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return;
      }
      this.queue.shift();
    }
  }

  /**
   * Waits until everything queued is sent. `timeoutMs` bounds the wait for the host to take something, not the whole
   * drain: a large backlog (a fast program, a host still converting) drains as long as the host keeps reading.
   */
  drain(timeoutMs: number): void {
    let deadline = Date.now() + timeoutMs;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    while (this.queue.length > 0 && !this.broken && Date.now() < deadline) {
      const before = this.queuedBytes;
      this.tryDrain();
      if (this.queuedBytes < before) deadline = Date.now() + timeoutMs;
      if (this.queue.length > 0) Atomics.wait(sleeper, 0, 0, 1);
    }
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  private writeSome(buf: Uint8Array): number {
    return this.writePartsSome([buf]);
  }

  /** Writes what the descriptor takes now of the parts, in order (one `writev`); returns the byte count. */
  private writePartsSome(parts: readonly Uint8Array[]): number {
    try {
      return parts.length === 1 ? fs.writeSync(this.fd, parts[0]) : fs.writevSync(this.fd, parts as Uint8Array[]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 0;
      // The host went away (EPIPE): nobody is listening, stop trying.
      this.broken = true;
      this.queue = [];
      this.queuedBytes = 0;
      void this.socket;
      let n = 0;
      for (const p of parts) n += p.length;
      return n;
    }
  }
}
