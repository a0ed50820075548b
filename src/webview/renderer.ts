/**
 * Draws one frame of the timeline on a canvas: grid, lane bars (aggregated per device pixel), end markers, output and
 * warning marks, arrows, the time cursor, the sticky time axis and the sticky label column. Everything it draws comes
 * from the `Scene`; where things are comes from scene.ts, so hit-testing agrees with the picture.
 */
import type { ResourceInfo, TaskInfo } from '../model/model';
import { aggregateSegments } from './aggregate';
import { CATEGORY_COUNT, NOT_DRAWN, stateCategory } from './categories';
import { blockedOverlayOf } from './blockedOverlay';
import { ArrowSpans, arrowHead, spanHead } from './arrowSpans';
import { deadlockCurves } from './deadlockArrows';
import type { Hit } from './hitTest';
import { taskLabel } from './layout';
import {
  BAR_HEIGHT,
  BAR_TOP,
  END_MARK_RADIUS,
  INDENT,
  OUTPUT_MARK_HALF,
  Scene,
  WARNING_MARK_HALF,
  ArrowPixels,
  forEachArrowLine,
  rowTop,
  visibleRows,
  xOf,
} from './scene';
import type { Theme } from './theme';
import { axisTicks, formatTick } from './timeAxis';
import { viewEnd } from './viewport';

export interface FrameInput {
  scene: Scene;
  theme: Theme;
  dpr: number;
  hover: Hit | null;
  /** The keyboard's lane, -1 for none. */
  focusRow: number;
  /** The keyboard's item on that lane. */
  focusHit: Hit | null;
  /** Text drawn in the plot when there is nothing else (no tasks, no match). */
  placeholder: string | null;
}

/** Per-category rectangles of one frame, in device pixels: x, y, w, h. Drawn with one fillStyle per category. */
class RectBatches {
  readonly rects: number[][] = Array.from({ length: CATEGORY_COUNT }, () => []);
  clear(): void {
    for (const r of this.rects) r.length = 0;
  }
}

export class TimelineRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly batches = new RectBatches();
  private readonly textWidths = new Map<string, number>();
  private textFont = '';
  private cssWidth = 0;
  private cssHeight = 0;
  private dpr = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2D context unavailable');
    this.ctx = ctx;
  }

  /** Sizes the backing store to CSS size × devicePixelRatio (sharp on high-DPI screens). */
  resize(cssWidth: number, cssHeight: number, dpr: number): void {
    const w = Math.max(1, Math.round(cssWidth * dpr));
    const h = Math.max(1, Math.round(cssHeight * dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${cssHeight}px`;
    this.cssWidth = cssWidth;
    this.cssHeight = cssHeight;
    this.dpr = dpr;
  }

  /** Forgets measured text (after a theme or font change). */
  resetTextCache(): void {
    this.textWidths.clear();
  }

  draw(frame: FrameInput): void {
    const { scene, theme: th } = frame;
    const dpr = this.dpr;
    const ctx = this.ctx;
    const g = scene.geometry;
    const rows = scene.layout.rows;
    const [first, last] = visibleRows(g, rows.length);
    const view = scene.view;

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);

    // Row bands: alternate rows, the keyboard's row.
    for (let r = first; r < last; r++) {
      const top = rowTop(g, r);
      if (r === frame.focusRow) {
        ctx.fillStyle = th.selection;
        ctx.fillRect(0, top, g.width, g.rowHeight);
      } else if (r % 2 === 1) {
        ctx.fillStyle = th.rowAlt;
        ctx.fillRect(g.labelWidth, top, g.width - g.labelWidth, g.rowHeight);
      }
    }

    // Grid lines at the axis ticks.
    const ticks = axisTicks(view.start, viewEnd(view), view.pxPerMs, 90);
    ctx.strokeStyle = th.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const tick of ticks.ticks) {
      const x = snap(xOf(scene, tick.t), dpr);
      if (x < g.labelWidth) continue;
      ctx.moveTo(x, g.axisHeight);
      ctx.lineTo(x, g.height);
    }
    ctx.stroke();

    this.drawBars(frame, first, last);
    this.drawBlocked(frame, first, last);
    this.drawMarks(frame, first, last);
    this.drawArrows(frame);
    this.drawDeadlock(frame);
    this.drawHighlights(frame);
    this.drawCursor(frame);
    this.drawAxis(frame, ticks.ticks.map((t) => ({ x: xOf(scene, t.t), label: t.label })));
    this.drawLabels(frame, first, last);
    if (frame.placeholder) {
      ctx.fillStyle = th.muted;
      ctx.font = th.font;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.fillText(frame.placeholder, g.labelWidth + 12, g.axisHeight + rows.length * g.rowHeight - g.scrollTop + g.rowHeight / 2);
    }
  }

  private drawBars(frame: FrameInput, first: number, last: number): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const dpr = this.dpr;
    const ctx = this.ctx;
    const rows = scene.layout.rows;
    const batches = this.batches;
    batches.clear();
    const plotLeft = Math.round(g.labelWidth * dpr);
    const plotRight = Math.round(g.width * dpr);
    const scale = { start: scene.view.start, pxPerMs: scene.view.pxPerMs * dpr };
    for (let r = first; r < last; r++) {
      const lane = rows[r];
      const barTop = Math.round((rowTop(g, r) + BAR_TOP) * dpr);
      const barHeight = Math.round(BAR_HEIGHT * dpr);
      if (lane.kind === 'task') {
        aggregateSegments(lane.task.lane, scale, 0, plotRight - plotLeft, (x0, x1, category) => {
          batches.rects[category].push(plotLeft + x0, barTop, x1 - x0, barHeight);
        });
      } else {
        this.drawResourceLane(frame, lane.resource, r);
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (let c = 0; c < CATEGORY_COUNT; c++) {
      const rects = batches.rects[c];
      if (rects.length === 0) continue;
      ctx.fillStyle = th.categories[c];
      for (let i = 0; i < rects.length; i += 4) ctx.fillRect(rects[i], rects[i + 1], rects[i + 2], rects[i + 3]);
    }
    if (th.highContrast) {
      // Outline every run so bars do not rely on colour alone.
      ctx.strokeStyle = th.contrastBorder !== 'transparent' ? th.contrastBorder : th.foreground;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let c = 0; c < CATEGORY_COUNT; c++) {
        const rects = batches.rects[c];
        for (let i = 0; i < rects.length; i += 4) {
          if (rects[i + 2] >= 3) ctx.rect(rects[i] + 0.5, rects[i + 1] + 0.5, rects[i + 2] - 1, rects[i + 3] - 1);
        }
      }
      ctx.stroke();
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** A queue's occupancy, a lock's holders, an event's flag: a step chart scaled to the lane. */
  private drawResourceLane(frame: FrameInput, resource: ResourceInfo, row: number): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    const events = resource.events;
    const isQueue = resource.kind === 'queue' || resource.kind === 'priorityQueue' || resource.kind === 'lifoQueue';
    const levels: number[] = [];
    let level = 0;
    let max = 1;
    for (const e of events) {
      switch (e.type) {
        case 'queue.put':
        case 'queue.get':
          level = e.size;
          break;
        case 'resource.acquired':
          level++;
          break;
        case 'resource.released':
          level = Math.max(0, level - 1);
          break;
        case 'resource.signalled':
          if (e.action === 'set') level = 1;
          else if (e.action === 'clear') level = 0;
          break;
      }
      levels.push(level);
      if (level > max) max = level;
    }
    if (isQueue && resource.capacity) max = Math.max(max, resource.capacity);
    const top = rowTop(g, row) + 3;
    const height = g.rowHeight - 6;
    const end = scene.model.endTime;
    ctx.fillStyle = isQueue ? th.arrowQueue : th.categories[0];
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    let lastX = -1;
    for (let i = 0; i < events.length; i++) {
      const x0 = Math.max(g.labelWidth, xOf(scene, events[i].t));
      const x1 = Math.min(g.width, xOf(scene, i + 1 < events.length ? events[i + 1].t : end));
      if (x1 < g.labelWidth || x0 > g.width || levels[i] === 0) continue;
      // Sub-pixel steps: the first one in a pixel column stands for the column.
      if (x1 - x0 < 1 && Math.floor(x0) === lastX) continue;
      lastX = Math.floor(x0);
      const h = Math.max(1, (levels[i] / max) * height);
      ctx.rect(x0, top + height - h, Math.max(1, x1 - x0), h);
    }
    ctx.fill();
    ctx.globalAlpha = 1;
  }

  /**
   * Blocked-loop warnings: each span a blocking step held the loop, as a band in the warning colour across the lanes;
   * on each task it delayed, the stretch from when it could have run to when it ran, hatched over its bar.
   */
  private drawBlocked(frame: FrameInput, first: number, last: number): void {
    const { scene, theme: th } = frame;
    const overlay = blockedOverlayOf(scene.model);
    if (overlay.spans.length === 0) return;
    const g = scene.geometry;
    const ctx = this.ctx;
    const t0 = scene.view.start;
    const t1 = viewEnd(scene.view);
    const clipX = (x: number): number => Math.max(g.labelWidth, Math.min(g.width, x));
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.labelWidth, g.axisHeight, g.width - g.labelWidth, g.height - g.axisHeight);
    ctx.clip();
    ctx.fillStyle = th.warning;
    ctx.globalAlpha = th.highContrast ? 0.3 : 0.16;
    for (const span of overlay.spans) {
      if (span.end < t0 || span.start > t1) continue;
      const x0 = clipX(xOf(scene, span.start));
      const x1 = clipX(xOf(scene, span.end));
      ctx.fillRect(x0, g.axisHeight, Math.max(1, x1 - x0), g.height - g.axisHeight);
    }
    ctx.globalAlpha = 1;
    const hatch = new Path2D();
    const outline = new Path2D();
    const rows = scene.layout.rows;
    for (let r = first; r < last; r++) {
      const lane = rows[r];
      if (lane.kind !== 'task') continue;
      const delays = overlay.delaysByTask.get(lane.task.id);
      if (!delays) continue;
      const top = rowTop(g, r) + BAR_TOP;
      for (const d of delays) {
        if (d.ranAt < t0 || d.readyAt > t1) continue;
        const x0 = clipX(xOf(scene, d.readyAt));
        const x1 = Math.max(x0 + 2, clipX(xOf(scene, d.ranAt)));
        outline.rect(x0 + 0.5, top + 0.5, x1 - x0 - 1, BAR_HEIGHT - 1);
        // Stripes every 6 px, aligned to the canvas so neighbouring delays line up.
        for (let x = Math.floor((x0 - BAR_HEIGHT) / 6) * 6; x < x1; x += 6) {
          const a = Math.max(x, x0);
          const b = Math.min(x + BAR_HEIGHT, x1);
          if (b <= a) continue;
          hatch.moveTo(a, top + BAR_HEIGHT - (a - x));
          hatch.lineTo(b, top + BAR_HEIGHT - (b - x));
        }
      }
    }
    ctx.strokeStyle = th.warning;
    ctx.lineWidth = 1.5;
    ctx.stroke(hatch);
    ctx.lineWidth = 1;
    ctx.stroke(outline);
    ctx.restore();
  }

  private drawMarks(frame: FrameInput, first: number, last: number): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    const rows = scene.layout.rows;
    const t0 = scene.view.start;
    const t1 = viewEnd(scene.view);
    const outputPath = new Path2D();
    const warningPath = new Path2D();
    for (let r = first; r < last; r++) {
      const lane = rows[r];
      if (lane.kind !== 'task') continue;
      const top = rowTop(g, r);
      const marks = scene.marks(lane.task.id);
      if (marks) {
        let lastX = -Infinity;
        for (let i = lowerBound(marks.output, t0 - 4 / scene.view.pxPerMs); i < marks.output.length; i++) {
          const e = marks.output[i];
          if (e.t > t1) break;
          const x = Math.round(xOf(scene, e.t));
          if (x === lastX || x < g.labelWidth) continue;
          lastX = x;
          outputPath.moveTo(x - OUTPUT_MARK_HALF, top + 1);
          outputPath.lineTo(x + OUTPUT_MARK_HALF, top + 1);
          outputPath.lineTo(x, top + BAR_TOP);
          outputPath.closePath();
        }
        lastX = -Infinity;
        for (let i = lowerBound(marks.warnings, t0 - 5 / scene.view.pxPerMs); i < marks.warnings.length; i++) {
          const e = marks.warnings[i];
          if (e.t > t1) break;
          const x = Math.round(xOf(scene, e.t));
          if (x === lastX || x < g.labelWidth) continue;
          lastX = x;
          const base = top + g.rowHeight - 1;
          warningPath.moveTo(x - WARNING_MARK_HALF, base);
          warningPath.lineTo(x + WARNING_MARK_HALF, base);
          warningPath.lineTo(x, base - 2 * WARNING_MARK_HALF + 1);
          warningPath.closePath();
        }
      }
      const end = lane.task.end;
      if (end && end.t >= t0 - 1 / scene.view.pxPerMs && end.t <= t1 + 6 / scene.view.pxPerMs) {
        const x = xOf(scene, end.t);
        if (x >= g.labelWidth - END_MARK_RADIUS) this.drawEndMarker(th, end.state, x, top + BAR_TOP + BAR_HEIGHT / 2);
      }
    }
    ctx.fillStyle = th.output;
    ctx.fill(outputPath);
    ctx.fillStyle = th.warning;
    ctx.fill(warningPath);
    if (th.highContrast) {
      ctx.strokeStyle = th.foreground;
      ctx.lineWidth = 1;
      ctx.stroke(warningPath);
    }
    // Warnings not about one task sit on the axis.
    const runPath = new Path2D();
    let lastX = -Infinity;
    for (const w of scene.runWarnings) {
      if (w.t < t0 || w.t > t1) continue;
      const x = Math.round(xOf(scene, w.t));
      if (x === lastX) continue;
      lastX = x;
      const base = g.axisHeight - 1;
      runPath.moveTo(x - WARNING_MARK_HALF, base);
      runPath.lineTo(x + WARNING_MARK_HALF, base);
      runPath.lineTo(x, base - 2 * WARNING_MARK_HALF + 1);
      runPath.closePath();
    }
    this.pendingRunWarnings = runPath;
  }

  private pendingRunWarnings: Path2D | null = null;

  private drawEndMarker(th: Theme, state: 'done' | 'failed' | 'cancelled', x: number, y: number): void {
    const ctx = this.ctx;
    const r = END_MARK_RADIUS;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    if (state === 'done') {
      ctx.fillStyle = th.done;
      ctx.fill();
      ctx.strokeStyle = th.background;
      ctx.lineWidth = 1;
      ctx.stroke();
    } else if (state === 'failed') {
      ctx.fillStyle = th.failed;
      ctx.fill();
      ctx.strokeStyle = th.background;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x - r * 0.5, y - r * 0.5);
      ctx.lineTo(x + r * 0.5, y + r * 0.5);
      ctx.moveTo(x + r * 0.5, y - r * 0.5);
      ctx.lineTo(x - r * 0.5, y + r * 0.5);
      ctx.stroke();
    } else {
      ctx.fillStyle = th.background;
      ctx.fill();
      ctx.strokeStyle = th.cancelled;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x - r * 0.7, y + r * 0.7);
      ctx.lineTo(x + r * 0.7, y - r * 0.7);
      ctx.stroke();
    }
  }

  private drawArrows(frame: FrameInput): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    const colours = { create: th.arrowCreate, await: th.arrowAwait, cancel: th.arrowCancel, queue: th.arrowQueue };
    const paths = { create: new Path2D(), await: new Path2D(), cancel: new Path2D(), queue: new Path2D() };
    const heads = { create: new Path2D(), await: new Path2D(), cancel: new Path2D(), queue: new Path2D() };
    // The solid one-pixel kinds' vertical lines (all of theirs) as pixel-aligned rectangles, neighbours merged.
    const spans = { create: new ArrowSpans(frame.dpr), await: new ArrowSpans(frame.dpr) };
    const top = g.axisHeight;
    const bottom = g.height;
    // Ends off the plot go a pixel past its edge (the clip hides them), so lines to lanes off screen merge.
    const onPlot = (y: number): number => Math.min(Math.max(y, top - 1), bottom + 1);
    const headOf = (path: Path2D, points: readonly number[]): void => {
      path.moveTo(points[0], points[1]);
      for (let i = 2; i + 1 < points.length; i += 2) path.lineTo(points[i], points[i + 1]);
      path.closePath();
    };
    // Lines off the plot are left out, and lines that land on the same pixels are drawn once (ten thousand creations
    // from one parent, say): `ArrowPixels` says which before the line is made.
    forEachArrowLine(scene, (line) => {
      const kind = line.edge.kind;
      const head = line.head && line.y2 >= top && line.y2 <= bottom && line.x2 >= g.labelWidth;
      if ((kind === 'create' || kind === 'await') && line.x1 === line.x2) {
        spans[kind].add(line.x1, onPlot(line.y1), onPlot(line.y2), head);
        return;
      }
      const path = paths[kind];
      path.moveTo(line.x1, line.y1);
      path.lineTo(line.x2, line.y2);
      if (head) headOf(heads[kind], arrowHead(line.x1, line.y1, line.x2, line.y2, headInset(line.x1, line.y1, line.x2, line.y2), ARROW_HEAD));
    }, new ArrowPixels(g));
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.labelWidth, top, g.width - g.labelWidth, bottom - top);
    ctx.clip();
    for (const kind of ['create', 'await', 'queue', 'cancel'] as const) {
      ctx.strokeStyle = colours[kind];
      ctx.fillStyle = colours[kind];
      ctx.lineWidth = kind === 'cancel' ? 1.5 : 1;
      ctx.setLineDash(kind === 'queue' ? [3, 2] : []);
      ctx.stroke(paths[kind]);
      ctx.setLineDash([]);
      if (kind === 'create' || kind === 'await') {
        // A fillRect each: pixel-aligned rectangles rasterise several times quicker than the same rectangles as one
        // path (measured: the commit of a live frame at full zoom-out took 4-6 ms against 11-15 ms).
        for (const span of spans[kind].spans()) {
          ctx.fillRect(span.left, Math.min(span.y1, span.y2), span.right - span.left, Math.abs(span.y2 - span.y1));
          if (span.head) headOf(heads[kind], spanHead(span, BAR_HEIGHT / 2, ARROW_HEAD));
        }
      }
      ctx.fill(heads[kind]);
    }
    ctx.restore();
  }

  /**
   * A deadlock's wait-for arrows (deadlockArrows.ts places them), in the warning colour over a halo, with a
   * "deadlock" label at the leftmost curve.
   */
  private drawDeadlock(frame: FrameInput): void {
    const { scene, theme: th } = frame;
    const curves = deadlockCurves(scene);
    if (curves.length === 0) return;
    const g = scene.geometry;
    const lines = new Path2D();
    const heads = new Path2D();
    let label: { x: number; y: number } | undefined;
    for (const { x, y1, y2, cx, cy } of curves) {
      lines.moveTo(x, y1);
      lines.quadraticCurveTo(cx, cy, x, y2);
      const angle = Math.atan2(y2 - cy, x - cx);
      const size = 6;
      heads.moveTo(x, y2);
      heads.lineTo(x - size * Math.cos(angle - 0.45), y2 - size * Math.sin(angle - 0.45));
      heads.lineTo(x - size * Math.cos(angle + 0.45), y2 - size * Math.sin(angle + 0.45));
      heads.closePath();
      // The curve's leftmost point is halfway to the control point.
      const left = { x: (x + cx) / 2, y: cy };
      if (!label || left.x < label.x) label = left;
    }
    if (!label) return;
    const ctx = this.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.labelWidth, g.axisHeight, g.width - g.labelWidth, g.height - g.axisHeight);
    ctx.clip();
    ctx.strokeStyle = th.background;
    ctx.lineWidth = 4;
    ctx.stroke(lines);
    ctx.strokeStyle = th.warning;
    ctx.fillStyle = th.warning;
    ctx.lineWidth = 2;
    ctx.stroke(lines);
    ctx.fill(heads);
    ctx.font = th.smallFont;
    const text = 'deadlock';
    const w = this.measure(text, th.smallFont);
    const tx = label.x - 6 - w;
    ctx.fillStyle = th.background;
    ctx.fillRect(tx - 3, label.y - 7, w + 6, 14);
    ctx.fillStyle = th.warning;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, tx, label.y);
    ctx.restore();
  }

  private drawHighlights(frame: FrameInput): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    const outline = (hit: Hit | null, width: number, dash: number[]): void => {
      if (!hit) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(g.labelWidth, g.axisHeight, g.width - g.labelWidth, g.height - g.axisHeight);
      ctx.clip();
      ctx.strokeStyle = th.focus;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      if (hit.kind === 'segment') {
        const top = rowTop(g, hit.row) + BAR_TOP - 1.5;
        let x0 = xOf(scene, hit.segment.start);
        let x1 = xOf(scene, hit.segment.end);
        if (x1 - x0 < 3) {
          const mid = (x0 + x1) / 2;
          x0 = mid - 1.5;
          x1 = mid + 1.5;
        }
        ctx.strokeRect(x0 - 0.5, top, x1 - x0 + 1, BAR_HEIGHT + 3);
      } else if (hit.kind === 'end' && hit.task.end) {
        ctx.beginPath();
        ctx.arc(xOf(scene, hit.task.end.t), rowTop(g, hit.row) + BAR_TOP + BAR_HEIGHT / 2, END_MARK_RADIUS + 2.5, 0, Math.PI * 2);
        ctx.stroke();
      } else if ((hit.kind === 'output' || hit.kind === 'warning') && hit.row >= 0) {
        const x = xOf(scene, hit.events[0].t);
        const top = rowTop(g, hit.row);
        ctx.strokeRect(x - 5.5, top + 0.5, 11, g.rowHeight - 1);
      } else if (hit.kind === 'deadlock') {
        ctx.lineWidth = width + 2;
        for (const c of deadlockCurves(scene)) {
          if (c.arrow !== hit.arrow) continue;
          ctx.beginPath();
          ctx.moveTo(c.x, c.y1);
          ctx.quadraticCurveTo(c.cx, c.cy, c.x, c.y2);
          ctx.stroke();
        }
      } else if (hit.kind === 'arrow') {
        ctx.lineWidth = width + 1;
        forEachArrowLine(scene, (line) => {
          if (line.edge !== hit.edge) return;
          ctx.beginPath();
          ctx.moveTo(line.x1, line.y1);
          ctx.lineTo(line.x2, line.y2);
          ctx.stroke();
        });
      }
      ctx.restore();
    };
    outline(frame.hover, 1, []);
    outline(frame.focusHit, 2, [3, 2]);
  }

  private drawCursor(frame: FrameInput): void {
    const { scene, theme: th } = frame;
    if (scene.cursor === null) return;
    const g = scene.geometry;
    const x = snap(xOf(scene, scene.cursor), this.dpr);
    if (x < g.labelWidth || x > g.width) return;
    const ctx = this.ctx;
    ctx.strokeStyle = th.cursor;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, g.axisHeight);
    ctx.lineTo(x, g.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  private drawAxis(frame: FrameInput, ticks: Array<{ x: number; label: string }>): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, g.width, g.axisHeight);
    ctx.strokeStyle = th.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const base = snap(g.axisHeight, this.dpr) - 0.5;
    ctx.moveTo(0, base);
    ctx.lineTo(g.width, base);
    ctx.stroke();
    ctx.font = th.smallFont;
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillStyle = th.muted;
    ctx.strokeStyle = th.muted;
    ctx.beginPath();
    for (const tick of ticks) {
      const x = snap(tick.x, this.dpr);
      if (x < g.labelWidth) continue;
      ctx.moveTo(x, g.axisHeight - 6);
      ctx.lineTo(x, g.axisHeight);
      // The last label ends at its tick rather than running off the edge.
      const w = this.measure(tick.label, th.smallFont);
      ctx.fillText(tick.label, x + 3 + w > g.width ? x - 3 - w : x + 3, g.axisHeight - 9);
    }
    ctx.stroke();
    if (this.pendingRunWarnings) {
      ctx.fillStyle = th.warning;
      ctx.fill(this.pendingRunWarnings);
      this.pendingRunWarnings = null;
    }
    // The cursor's handle and time on the axis.
    if (scene.cursor !== null) {
      const x = xOf(scene, scene.cursor);
      if (x >= g.labelWidth && x <= g.width) {
        const text = formatTick(scene.cursor, Math.max(1e-6, 1 / scene.view.pxPerMs) / 10);
        ctx.font = th.smallFont;
        const w = this.measure(text, th.smallFont) + 8;
        const left = Math.min(Math.max(g.labelWidth, x - w / 2), g.width - w);
        ctx.fillStyle = th.cursor;
        ctx.fillRect(left, 2, w, g.axisHeight - 10);
        ctx.beginPath();
        ctx.moveTo(x - 4, g.axisHeight - 8);
        ctx.lineTo(x + 4, g.axisHeight - 8);
        ctx.lineTo(x, g.axisHeight - 1);
        ctx.closePath();
        ctx.fill();
        ctx.fillStyle = th.background;
        ctx.textBaseline = 'middle';
        ctx.fillText(text, left + 4, 2 + (g.axisHeight - 10) / 2);
      }
    }
  }

  private drawLabels(frame: FrameInput, first: number, last: number): void {
    const { scene, theme: th } = frame;
    const g = scene.geometry;
    const ctx = this.ctx;
    const rows = scene.layout.rows;
    ctx.fillStyle = th.labelBackground;
    ctx.fillRect(0, g.axisHeight, g.labelWidth, g.height - g.axisHeight);
    // The keyboard's row keeps its highlight across the label column.
    if (frame.focusRow >= first && frame.focusRow < last) {
      ctx.fillStyle = th.selection;
      ctx.fillRect(0, rowTop(g, frame.focusRow), g.labelWidth, g.rowHeight);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, g.axisHeight, g.labelWidth, g.height - g.axisHeight);
    ctx.clip();
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (let r = first; r < last; r++) {
      const lane = rows[r];
      const top = rowTop(g, r);
      const mid = top + g.rowHeight / 2;
      if (lane.kind === 'resource') {
        ctx.font = th.font;
        ctx.fillStyle = th.muted;
        const text = `${lane.resource.name} (${lane.resource.kind})`;
        ctx.fillText(this.fit(text, g.labelWidth - 22, th.font), 18, mid);
        ctx.strokeStyle = th.muted;
        ctx.strokeRect(5.5, mid - 4.5, 8, 9);
        continue;
      }
      const indent = 4 + Math.min(lane.depth, 12) * INDENT;
      if (lane.hasChildren) {
        ctx.fillStyle = th.muted;
        ctx.beginPath();
        if (lane.collapsed) {
          ctx.moveTo(indent + 3, mid - 4);
          ctx.lineTo(indent + 8, mid);
          ctx.lineTo(indent + 3, mid + 4);
        } else {
          ctx.moveTo(indent + 1, mid - 2.5);
          ctx.lineTo(indent + 9, mid - 2.5);
          ctx.lineTo(indent + 5, mid + 2.5);
        }
        ctx.closePath();
        ctx.fill();
      }
      const task: TaskInfo = lane.task;
      const category = stateCategory(task.state);
      const swatchX = indent + 14;
      if (category === NOT_DRAWN) {
        const colour = task.state === 'done' ? th.done : task.state === 'failed' ? th.failed : th.cancelled;
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(swatchX + 4, mid, 3.5, 0, Math.PI * 2);
        ctx.stroke();
      } else {
        ctx.fillStyle = th.categories[category];
        ctx.fillRect(swatchX, mid - 4, 8, 8);
      }
      let text = taskLabel(task);
      if (lane.collapsed && lane.hiddenDescendants > 0) text += `  +${lane.hiddenDescendants}`;
      const font = r === frame.focusRow ? th.fontBold : th.font;
      ctx.font = font;
      ctx.fillStyle = lane.context ? th.muted : th.foreground;
      ctx.fillText(this.fit(text, g.labelWidth - swatchX - 16, font), swatchX + 13, mid);
    }
    ctx.restore();
    ctx.strokeStyle = th.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const x = snap(g.labelWidth, this.dpr) - 0.5;
    ctx.moveTo(x, 0);
    ctx.lineTo(x, g.height);
    ctx.stroke();
    // The top-left corner: what the axis measures.
    ctx.fillStyle = th.muted;
    ctx.font = th.smallFont;
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(`${rows.length} lane${rows.length === 1 ? '' : 's'}`, 6, g.axisHeight - 9);
  }

  private measure(text: string, font: string): number {
    if (font !== this.textFont) {
      this.textWidths.clear();
      this.textFont = font;
    }
    let w = this.textWidths.get(text);
    if (w === undefined) {
      this.ctx.font = font;
      w = this.ctx.measureText(text).width;
      if (this.textWidths.size > 5000) this.textWidths.clear();
      this.textWidths.set(text, w);
    }
    return w;
  }

  /** `text`, cut with an ellipsis to fit `width` pixels. */
  private fit(text: string, width: number, font: string): string {
    if (width <= 0) return '';
    if (this.measure(text, font) <= width) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.measure(text.slice(0, mid) + '…', font) <= width) lo = mid;
      else hi = mid - 1;
    }
    return lo === 0 ? '' : text.slice(0, lo) + '…';
  }

  get size(): { width: number; height: number; dpr: number } {
    return { width: this.cssWidth, height: this.cssHeight, dpr: this.dpr };
  }
}

/** Arrowheads' length, CSS pixels. */
const ARROW_HEAD = 5;

/** How far short of its end a line's head stops: at the edge of the bar, not in its middle, for steep lines. */
function headInset(x1: number, y1: number, x2: number, y2: number): number {
  return Math.abs(Math.sin(Math.atan2(y2 - y1, x2 - x1))) > 0.5 ? BAR_HEIGHT / 2 : 0;
}

/** Centre of the device pixel at CSS x, for crisp 1-pixel lines. */
function snap(x: number, dpr: number): number {
  return (Math.round(x * dpr) + 0.5) / dpr;
}

function lowerBound(events: ReadonlyArray<{ t: number }>, t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
