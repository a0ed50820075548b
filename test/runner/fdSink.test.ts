/**
 * The program's end of the event pipe: frames given as parts leave in order, byte for byte, whether the pipe takes
 * them whole, in pieces, or not at all for a while; past its bound the sink drops event frames but never essential
 * ones, and never a frame it has begun to send.
 */
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FdSink } from '../../src/runtime/fdSink';

/** A FIFO opened for writing (non-blocking, as the runner's pipe) and for reading, both in this process. */
function fifo(): { w: number; r: number; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fifo-'));
  const file = path.join(dir, 'pipe');
  execFileSync('mkfifo', [file]);
  const r = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const w = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return {
    w,
    r,
    close: () => {
      fs.closeSync(w);
      fs.closeSync(r);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readAvailable(fd: number, into: number[]): void {
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
      throw err;
    }
    if (n === 0) return;
    for (let i = 0; i < n; i++) into.push(buf[i]);
  }
}

function frame(seed: number, length: number): Uint8Array[] {
  const header = Uint8Array.from([seed & 255, 1, 2, 3, 4, 5, 6, 7]);
  const body = new Uint8Array(length);
  for (let i = 0; i < length; i++) body[i] = (seed * 31 + i) & 255;
  return [header, body];
}

describe('runtime/fdSink', () => {
  it('sends frames given as parts in order, byte for byte, through a pipe that fills up', () => {
    const p = fifo();
    try {
      const sink = new FdSink(p.w);
      const expected: number[] = [];
      const received: number[] = [];
      // 40 frames of 20 KiB: far more than a pipe holds, so writes are partial and the rest is queued.
      for (let k = 0; k < 40; k++) {
        const parts = frame(k, 20_000);
        for (const part of parts) expected.push(...part);
        assert.strictEqual(sink.write(parts, false), true);
        // The caller reuses its buffers at once (as the recorder does): the sink must have copied what it kept.
        parts[1].fill(0xee);
        if (k % 7 === 0) readAvailable(p.r, received);
      }
      assert.ok(sink.pendingBytes > 0, 'the pipe should have filled up');
      for (let i = 0; i < 1000 && sink.pendingBytes > 0; i++) {
        readAvailable(p.r, received);
        sink.tryDrain();
      }
      readAvailable(p.r, received);
      assert.strictEqual(sink.pendingBytes, 0);
      assert.strictEqual(received.length, expected.length);
      assert.ok(received.every((b, i) => b === expected[i]), 'bytes differ');
    } finally {
      p.close();
    }
  });

  it('drain waits as long as the host keeps reading, however long the backlog takes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fifo-'));
    const file = path.join(dir, 'pipe');
    execFileSync('mkfifo', [file]);
    // A slow host: takes 64 KiB every 40 ms, so 1.5 MB take about a second, far more than the drain's timeout.
    const reader = spawn('python3', [
      '-c',
      'import sys,time\nf=open(sys.argv[1],"rb",buffering=0)\nn=0\nwhile True:\n b=f.read(65536)\n if not b: break\n n+=len(b)\n time.sleep(0.04)\nprint(n)',
      file,
    ]);
    let out = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    // A FIFO opens for non-blocking writing only once its reader has it open (ENXIO until then).
    let w = -1;
    for (let i = 0; i < 400 && w < 0; i++) {
      try {
        w = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    assert.ok(w >= 0, 'the reader never opened the FIFO');
    try {
      const sink = new FdSink(w);
      for (let k = 0; k < 75; k++) sink.write(frame(k, 20_000), false);
      sink.drain(300);
      assert.strictEqual(sink.pendingBytes, 0, 'the drain gave up while the host was still reading');
    } finally {
      fs.closeSync(w);
    }
    await closed;
    assert.strictEqual(Number(out.trim()), 75 * 20_008);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('drops event frames past its bound, keeps essential ones, and finishes a frame it began', () => {
    const p = fifo();
    try {
      const sink = new FdSink(p.w, 100_000);
      let dropped = 0;
      let essentialRefused = 0;
      for (let k = 0; k < 30; k++) {
        if (!sink.write(frame(k, 30_000), false)) dropped++;
        if (!sink.write(frame(100 + k, 10), true)) essentialRefused++;
      }
      assert.ok(dropped > 0, 'nothing was dropped');
      assert.strictEqual(essentialRefused, 0);
      // What arrives is whole frames: every header is followed by its full body.
      const received: number[] = [];
      for (let i = 0; i < 1000 && sink.pendingBytes > 0; i++) {
        readAvailable(p.r, received);
        sink.tryDrain();
      }
      readAvailable(p.r, received);
      let at = 0;
      let frames = 0;
      while (at < received.length) {
        const seed = received[at];
        const length = seed >= 100 ? 10 : 30_000;
        const [header, body] = frame(seed, length);
        for (let i = 0; i < 8; i++) assert.strictEqual(received[at + i], header[i]);
        for (let i = 0; i < length; i++) assert.strictEqual(received[at + 8 + i], body[i], `frame ${seed} byte ${i}`);
        at += 8 + length;
        frames++;
      }
      assert.strictEqual(frames, 60 - dropped);
    } finally {
      p.close();
    }
  });
});
