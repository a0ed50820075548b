/**
 * The timeline webview: the toolbar (filter, states, arrows, zoom), the legend, the canvas swimlanes with their
 * mouse and keyboard handling, the tooltip, the accessible table, and the conversation with the host. The drawing is
 * in renderer.ts; everything it decides is computed by the pure modules (layout, viewport, hitTest, aggregate, ...).
 */
import type { SourceSite } from '../contract/trace';
import { TASK_STATES, TaskState, TraceModel } from '../model/model';
import { formatSite, formatTime } from '../model/summary';
import { HostToWebviewMessage, MessageType } from '../protocol/webviewMessages';
import { CATEGORY_COUNT, CATEGORY_INFO } from './categories';
import { TooltipContent, announce, describeHit, stateHistory } from './describe';
import type { WebviewHost } from './host';
import { Hit, hitTest, siteOfHit } from './hitTest';
import { ARROW_KINDS, INDENT } from './scene';
import { LaneLayout, extendLayout, layoutLanes, taskLabel } from './layout';
import { MessageInbox, lanesSegments } from './inbox';
import { LaneItem, itemAt, itemHit, itemSpan, laneItems, stepItem } from './navigation';
import { TimelineRenderer } from './renderer';
import {
  AXIS_HEIGHT,
  Geometry,
  ROW_HEIGHT,
  Scene,
  contentHeight,
  maxScrollTop,
  plotWidth,
  rowTop,
  xOf,
} from './scene';
import { SessionChange, SessionMessage, TraceSession } from './session';
import { TIMELINE_CSS } from './styles';
import { Theme, readTheme, watchTheme } from './theme';
import { ViewState, sanitizeViewState } from './viewState';
import {
  Viewport,
  fitView,
  panBy,
  reveal,
  toEnd,
  toStart,
  track,
  viewEnd,
  xToTime,
  zoomAt,
} from './viewport';

/** States offered by the filter: `ready` never comes out of the model, so it is not offered. */
const FILTER_STATES: readonly TaskState[] = TASK_STATES.filter((s) => s !== 'ready');
const ZOOM_STEP = 1.5;
const MIN_LABEL_WIDTH = 120;
const MAX_LABEL_WIDTH = 320;
/** The accessible table is rebuilt at most this often while a program runs. */
const TABLE_REFRESH_MS = 1000;
const MAX_TABLE_ROWS = 2000;
/** How often scrubbing the cursor tells the host (the tree view refolds states each time). */
const CURSOR_POST_MS = 60;
/** Folding host messages yields to the browser this often. */
const PUMP_SLICE_MS = 10;
/** Bounds of one piece of a big message, in events. */
const MIN_PIECE = 256;
const MAX_PIECE = 50_000;
/** Most segments of lanes taken over in one piece, as `MAX_PIECE` bounds the events folded in one. */
const MAX_LANES_PIECE = MAX_PIECE * 8;
/**
 * With more events than this waiting, frames are drawn only every `PROGRESS_FRAME_MS`, or less often when a frame is
 * costly (a re-layout of ten thousand new lanes): progress frames take at most a `1 / PROGRESS_SHARE` of the load.
 */
const LOAD_BACKLOG = 50_000;
const PROGRESS_FRAME_MS = 250;
const PROGRESS_SHARE = 10;

/** Timings the benchmark and the tests read. */
export interface FrameStats {
  /** performance.now() when the first frame with a trace was drawn. */
  firstDrawAt: number | null;
  /** Duration of every frame drawn (layout + draw), ms. */
  frameMs: number[];
  /** Time spent folding messages, ms. */
  messageMs: number[];
  /** performance.now() of the last frame. */
  lastDrawAt: number;
  /** The trace's end time the last frame showed. */
  lastDrawnEnd: number;
  /** How many events the last frame showed. */
  lastDrawnEvents: number;
  /** performance.now() when the first frame showing the whole snapshot was drawn. */
  completeDrawAt: number | null;
  /** Main-thread time spent folding the last snapshot, over all its slices. */
  loadFoldMs: number;
}

type Drag =
  | { kind: 'pan'; pointerId: number; x: number; y: number; view: Viewport; scrollTop: number; moved: boolean; hit: Hit | null }
  | { kind: 'cursor'; pointerId: number }
  | { kind: 'label'; pointerId: number; hit: Hit | null };

export class TimelineApp {
  readonly session = new TraceSession();
  readonly stats: FrameStats = {
    firstDrawAt: null,
    frameMs: [],
    messageMs: [],
    lastDrawAt: 0,
    lastDrawnEnd: 0,
    lastDrawnEvents: 0,
    completeDrawAt: null,
    loadFoldMs: 0,
  };
  private readonly inbox = new MessageInbox();
  private readonly pumpChannel = new MessageChannel();
  private pumpScheduled = false;
  private loadStartedAt: number | null = null;
  private loadFoldMs = 0;
  /** The host said `finished` after the current snapshot. */
  private finishedSeen = false;
  /** The current snapshot is of a trace file still being read (`SnapshotMessage.loading`): wait for `finished`. */
  private awaitingFinished = false;
  /** Measured cost of folding one event (a running average), for sizing the pieces. */
  private msPerEvent = 0.002;
  /** The same for a segment of lanes taken over (see inbox.ts). */
  private msPerSegment = 0.0004;
  /** How long the last frame took (layout + draw). */
  private lastFrameMs = 0;
  private state: ViewState;
  private view: Viewport | null = null;
  private layout: LaneLayout | null = null;
  private layoutDirty = true;
  /** The only change since the last layout: tasks were added (the layout may be extended, see `extendLayout`). */
  private layoutGrows = false;
  /** The widest lane label of the layout, in pixels (before it is bounded by the view's width). */
  private widestLabel = 0;
  private widestLabelFont = '';
  private theme: Theme;
  private readonly renderer: TimelineRenderer;
  private frameRequested = false;
  private hover: Hit | null = null;
  private focusItem: LaneItem | null = null;
  private drag: Drag | null = null;
  private lastCursorPost = 0;
  private cursorPostTimer: number | undefined;
  private saveTimer: number | undefined;
  private tableBuiltAt = 0;
  private tableTimer: number | undefined;
  private labelWidth = 180;
  private dpr = 1;
  private restored = false;

  // DOM
  private readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly spacer: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly liveRegion: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly sourceText: HTMLElement;
  private readonly emptyBox: HTMLElement;
  private readonly tableBox: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly stateChips = new Map<TaskState, HTMLButtonElement>();
  private readonly hideFinishedBox: HTMLInputElement;
  private readonly arrowBoxes: Record<(typeof ARROW_KINDS)[number], HTMLInputElement>;
  private readonly resourcesBox: HTMLInputElement;
  private readonly tableButton: HTMLButtonElement;

  constructor(
    container: HTMLElement,
    private readonly host: WebviewHost,
  ) {
    adoptStyles();
    this.state = sanitizeViewState(host.getState());

    this.root = el('div', 'ct-root');
    container.appendChild(this.root);

    // Toolbar
    const toolbar = el('div', 'ct-toolbar');
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Timeline controls');
    this.filterInput = document.createElement('input');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Filter: name or /regex/';
    this.filterInput.setAttribute('aria-label', 'Filter tasks by name, or by a regular expression written /like this/');
    this.filterInput.value = this.state.filter.text;
    toolbar.appendChild(this.filterInput);

    const states = el('div', 'ct-group');
    states.setAttribute('role', 'group');
    states.setAttribute('aria-label', 'Show only tasks in these states');
    for (const state of FILTER_STATES) {
      const chip = document.createElement('button');
      chip.className = 'ct-chip';
      chip.type = 'button';
      chip.textContent = state;
      chip.setAttribute('aria-pressed', String(this.state.filter.states.includes(state)));
      chip.title = `Show only ${state} tasks (several states can be picked)`;
      chip.addEventListener('click', () => this.toggleStateFilter(state));
      this.stateChips.set(state, chip);
      states.appendChild(chip);
    }
    toolbar.appendChild(states);

    this.hideFinishedBox = checkbox(toolbar, 'Hide finished', this.state.filter.hideFinished, 'Hide tasks that are done, failed or cancelled');
    this.hideFinishedBox.addEventListener('change', () => {
      this.state.filter = { ...this.state.filter, hideFinished: this.hideFinishedBox.checked };
      this.filterChanged();
    });

    const arrows = el('div', 'ct-group');
    arrows.setAttribute('role', 'group');
    arrows.setAttribute('aria-label', 'Arrows');
    arrows.appendChild(text('span', 'Arrows:'));
    this.arrowBoxes = {
      create: checkbox(arrows, 'creation', this.state.arrows.create, 'Parent → child when a task is created'),
      await: checkbox(arrows, 'await', this.state.arrows.await, 'Waiter → awaited task, and back where it wakes'),
      cancel: checkbox(arrows, 'cancel', this.state.arrows.cancel, 'Canceller → cancelled task'),
      queue: checkbox(arrows, 'queue', this.state.arrows.queue, "Producer's put → the consumer's get of that item"),
      deadlock: checkbox(arrows, 'deadlock', this.state.arrows.deadlock, 'A deadlock: each waiting task → the task it waits for'),
    };
    for (const kind of ARROW_KINDS) {
      this.arrowBoxes[kind].addEventListener('change', () => {
        this.state.arrows = { ...this.state.arrows, [kind]: this.arrowBoxes[kind].checked };
        this.saveState();
        this.invalidate();
      });
    }
    toolbar.appendChild(arrows);
    this.resourcesBox = checkbox(toolbar, 'Queues & locks', this.state.showResources, 'Lanes for queues (items) and locks (holders)');
    this.resourcesBox.addEventListener('change', () => {
      this.state.showResources = this.resourcesBox.checked;
      this.needLayout();
      this.saveState();
      this.invalidate();
    });

    const zoom = el('div', 'ct-group');
    zoom.appendChild(button('−', 'Zoom out (-)', () => this.zoomBy(1 / ZOOM_STEP)));
    zoom.appendChild(button('+', 'Zoom in (+)', () => this.zoomBy(ZOOM_STEP)));
    zoom.appendChild(button('Fit', 'Fit the whole run (0)', () => this.fit()));
    this.tableButton = button('Table', 'Show the tasks as a table (for screen readers)', () => this.toggleTable());
    this.tableButton.setAttribute('aria-pressed', String(this.state.showTable));
    zoom.appendChild(this.tableButton);
    toolbar.appendChild(zoom);

    this.sourceText = el('span', 'ct-source');
    this.sourceText.setAttribute('aria-live', 'polite');
    toolbar.appendChild(this.sourceText);
    this.statusText = el('span', 'ct-status');
    toolbar.appendChild(this.statusText);
    this.root.appendChild(toolbar);

    this.root.appendChild(buildLegend());

    // The lanes
    this.emptyBox = el('div', 'ct-empty');
    this.emptyBox.textContent = 'Waiting for a trace…';
    this.root.appendChild(this.emptyBox);
    this.scroller = el('div', 'ct-scroll');
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'application');
    this.scroller.setAttribute('aria-roledescription', 'task timeline');
    this.scroller.setAttribute('aria-label', 'Task timeline');
    const help = el('div', 'ct-visually-hidden');
    help.id = 'ct-help';
    help.textContent =
      'Up and Down arrows move between task lanes. Left and Right arrows pan, plus and minus zoom, 0 fits the whole run, ' +
      'Home and End go to the start and the live end. Right and left square brackets step through the events of the ' +
      'lane; Enter opens the source of the event; Space folds or unfolds a lane’s children; C puts the time cursor on ' +
      'the event; Escape clears it. The Table button shows the same information as a table.';
    this.scroller.setAttribute('aria-describedby', 'ct-help');
    this.root.appendChild(help);
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    this.spacer = el('div', 'ct-spacer');
    this.scroller.appendChild(this.canvas);
    this.scroller.appendChild(this.spacer);
    this.scroller.hidden = true;
    this.root.appendChild(this.scroller);

    this.tableBox = el('div', 'ct-table-view');
    this.tableBox.hidden = true;
    this.root.appendChild(this.tableBox);

    this.liveRegion = el('div', 'ct-visually-hidden');
    this.liveRegion.setAttribute('aria-live', 'polite');
    this.liveRegion.setAttribute('role', 'status');
    this.root.appendChild(this.liveRegion);

    this.tooltip = el('div', 'ct-tooltip');
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    document.body.appendChild(this.tooltip);

    this.renderer = new TimelineRenderer(this.canvas);
    this.theme = readTheme();
    watchTheme(() => {
      this.theme = readTheme();
      this.renderer.resetTextCache();
      this.invalidate();
    });

    this.pumpChannel.port1.onmessage = () => this.pump();
    this.bindInput();
    new ResizeObserver(() => this.invalidate()).observe(this.scroller);
    this.watchPixelRatio();
    host.listen((message) => this.receive(message));
    host.post({ type: MessageType.Ready });
  }

  /** Redraws when the window moves to a screen with another pixel ratio (no resize event says so). */
  private watchPixelRatio(): void {
    const query = window.matchMedia?.(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query?.addEventListener?.(
      'change',
      () => {
        this.invalidate();
        this.watchPixelRatio();
      },
      { once: true },
    );
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Messages

  /** Queues a host message; it is folded in short slices (see `pump`). */
  receive(message: HostToWebviewMessage): void {
    if (message.type === MessageType.Snapshot) {
      this.loadStartedAt = performance.now();
      this.loadFoldMs = 0;
      this.finishedSeen = false;
      this.awaitingFinished = message.loading === true;
      this.stats.completeDrawAt = null;
      this.stats.firstDrawAt = null;
    }
    this.inbox.push(message);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.pumpChannel.port2.postMessage(null);
  }

  /**
   * Folds queued messages for at most `PUMP_SLICE_MS`, then yields to the browser (input, frames) and continues in
   * the next task. A million-event snapshot so costs about the same in total but never freezes the page.
   */
  private pump(): void {
    this.pumpScheduled = false;
    const started = performance.now();
    const deadline = started + PUMP_SLICE_MS;
    let piece: SessionMessage | undefined;
    for (;;) {
      const now = performance.now();
      if (now >= deadline) break;
      // Size each piece to what fits in the rest of the slice, from the costs per event and per segment of lanes
      // taken over measured so far.
      const left = deadline - now;
      const fits = Math.min(MAX_PIECE, Math.max(MIN_PIECE, left / this.msPerEvent));
      const segmentsFit = Math.min(MAX_LANES_PIECE, Math.max(MIN_PIECE, left / this.msPerSegment));
      piece = this.inbox.next(fits, segmentsFit);
      if (piece === undefined) break;
      const before = performance.now();
      this.apply(this.session.handle(piece));
      // The edges of what the piece folded, now (counted in its cost): left to the next frame, a slice's worth or
      // hundreds of slices' worth would make it long.
      this.session.indexEdges();
      const ms = performance.now() - before;
      const segments = lanesSegments(piece);
      const count = 'events' in piece ? piece.events.length : 0;
      if (segments >= MIN_PIECE) this.msPerSegment = 0.7 * this.msPerSegment + 0.3 * (ms / segments);
      else if (count >= MIN_PIECE) this.msPerEvent = 0.7 * this.msPerEvent + 0.3 * (ms / count);
    }
    const done = performance.now();
    this.stats.messageMs.push(done - started);
    if (this.stats.messageMs.length > 100_000) this.stats.messageMs.splice(0, 50_000);
    if (this.loadStartedAt !== null) this.loadFoldMs += done - started;
    if (!this.inbox.empty) this.schedulePump();
    // A snapshot is loaded when its events are folded: for a live one, its own events; otherwise up to `finished`
    // (the report hands a big trace over in pieces).
    if (this.loadStartedAt !== null && this.inbox.empty) {
      if (this.session.live || this.finishedSeen) this.loadDone(done);
      else if (!this.awaitingFinished) {
        // A host that never says `finished` after a finished trace: done when nothing more comes for a moment.
        const pumps = this.stats.messageMs.length;
        window.setTimeout(() => {
          if (this.loadStartedAt !== null && this.inbox.empty && this.stats.messageMs.length === pumps) this.loadDone(done);
        }, 200);
      }
    }
  }

  private loadDone(at: number): void {
    // For the benchmark: folding the snapshot, summed over its slices.
    this.stats.loadFoldMs = this.loadFoldMs;
    performance.measure('coroutine-trace:snapshot-load', { start: this.loadStartedAt!, end: at });
    this.loadStartedAt = null;
    this.invalidate();
  }

  private apply(change: SessionChange): void {
    // Called for every folded piece: reads only what is cheap (not `session.model`, which settles the model).
    const hasTrace = this.session.header !== null;
    switch (change.kind) {
      case 'reset': {
        this.needLayout();
        this.hover = null;
        this.focusItem = null;
        this.hideTooltip();
        const sameTrace = hasTrace && this.session.traceKey === this.state.traceKey;
        if (!sameTrace) {
          this.state.traceKey = this.session.traceKey;
          this.state.view = null;
          this.state.scrollTop = 0;
          this.state.cursor = null;
          this.state.collapsed = [];
          this.state.focusedTask = null;
          this.view = null;
          this.restored = false;
        } else if (this.view === null) {
          // A reloaded page: the saved zoom, pan and scroll come back with the first frame.
          this.restored = false;
        }
        // Otherwise the host re-sent the same trace (the panel became visible again): the view stays as it is.
        break;
      }
      case 'append':
        if (this.filterDependsOnState()) this.needLayout();
        else if (change.newTasks) this.needLayout(true);
        break;
      case 'finished':
        this.finishedSeen = true;
        if (this.filterDependsOnState()) this.needLayout();
        break;
      case 'cursor':
        this.state.cursor = change.t;
        this.saveState();
        break;
      case 'reveal':
        this.revealTask(change.task);
        break;
      case 'none':
        return;
    }
    if (hasTrace && (change.kind === 'append' || change.kind === 'finished')) this.scheduleTable();
    if (change.kind === 'reset' && this.state.showTable) this.scheduleTable();
    this.invalidate();
  }

  /** A finished trace is still being handed over (the report's pieces): frames then only show progress. */
  private loadingFinishedTrace(): boolean {
    return this.loadStartedAt !== null && !this.session.live;
  }

  private filterDependsOnState(): boolean {
    return this.state.filter.hideFinished || this.state.filter.states.length > 0;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Frames

  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      // While a big backlog is folded, show progress a few times a second rather than every frame.
      if (
        (this.inbox.backlog > LOAD_BACKLOG || this.loadingFinishedTrace()) &&
        this.stats.firstDrawAt !== null &&
        performance.now() - this.stats.lastDrawAt < Math.max(PROGRESS_FRAME_MS, PROGRESS_SHARE * this.lastFrameMs)
      ) {
        return; // the pump's next slice asks for a frame again
      }
      this.renderNow();
    });
  }

  /** Lays out (if needed) and draws one frame, synchronously. */
  renderNow(): void {
    const started = performance.now();
    const model = this.session.model;
    this.updateStatus();
    if (!model) {
      this.emptyBox.hidden = false;
      this.emptyBox.textContent = this.session.emptyMessage ?? 'Waiting for a trace…';
      this.scroller.hidden = true;
      return;
    }
    this.emptyBox.hidden = true;
    this.scroller.hidden = false;

    const width = this.scroller.clientWidth;
    const height = this.scroller.clientHeight;
    if (width <= 0 || height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    if (dpr !== this.dpr) {
      this.dpr = dpr;
      this.renderer.resetTextCache();
    }
    if (this.layoutDirty || !this.layout) {
      const options = { filter: this.state.filter, collapsed: new Set(this.state.collapsed), showResources: this.state.showResources };
      // Lanes of new tasks at the end (a run creating tasks): laid out and measured alone.
      const previous = this.layoutGrows && this.widestLabelFont === this.theme.font ? this.layout : null;
      // The new lanes start after the previous tasks' (the resource lanes, after them, are measured again).
      const from = previous ? previous.taskCount : 0;
      const extended = previous ? extendLayout(previous, model, options) : null;
      this.layout = extended ?? layoutLanes(model, options);
      this.layoutDirty = false;
      this.layoutGrows = false;
      const widest = this.widestLabelOf(this.layout, extended ? from : 0);
      this.widestLabel = extended ? Math.max(this.widestLabel, widest) : widest;
      this.widestLabelFont = this.theme.font;
      this.labelWidth = this.boundLabelWidth(this.widestLabel, width);
      this.filterInput.classList.toggle('ct-invalid', this.layout.filterError !== undefined);
      this.filterInput.title = this.layout.filterError ? `Invalid regular expression: ${this.layout.filterError}` : '';
    }
    const layout = this.layout;
    const rowsHeight = contentHeight(this.geometryFor(width, height, 0), layout.rows.length);
    this.spacer.style.height = `${Math.max(0, rowsHeight - height)}px`;

    const pw = Math.max(1, width - this.labelWidth);
    if (!this.view) this.view = this.initialView(model, pw);
    else if (this.restored || this.loadStartedAt === null) this.view = track(this.view, model.endTime, pw);
    // While a trace is still being folded in, the view waits for its end before following or fitting it: tracking a
    // partial trace would move a restored view away from where the user left it.
    else this.view = { ...this.view, width: pw };
    if (!this.restored && this.loadStartedAt === null) {
      // Once the whole trace is in (the lanes exist to scroll to).
      this.restored = true;
      this.scroller.scrollTop = this.state.scrollTop;
    }
    this.renderer.resize(width, height, dpr);
    const scene = this.scene(width, height);
    const focusRow = this.focusRow();
    this.renderer.draw({
      scene,
      theme: this.theme,
      dpr,
      hover: this.hover,
      focusRow,
      focusHit: this.focusHitFor(focusRow),
      placeholder: this.placeholder(model, layout),
    });
    const now = performance.now();
    if (this.stats.firstDrawAt === null && model.eventCount > 0) {
      this.stats.firstDrawAt = now;
      performance.mark('coroutine-trace:first-draw');
    }
    if (this.stats.completeDrawAt === null && this.loadStartedAt === null && model.eventCount > 0) {
      this.stats.completeDrawAt = now;
      performance.mark('coroutine-trace:complete-draw');
    }
    this.lastFrameMs = now - started;
    this.stats.frameMs.push(now - started);
    if (this.stats.frameMs.length > 100_000) this.stats.frameMs.splice(0, 50_000);
    this.stats.lastDrawAt = now;
    this.stats.lastDrawnEnd = model.endTime;
    this.stats.lastDrawnEvents = model.eventCount;
  }

  private initialView(model: TraceModel, width: number): Viewport {
    const saved = this.state.view;
    if (saved && this.state.traceKey === this.session.traceKey) {
      const v: Viewport = { start: saved.start, pxPerMs: saved.pxPerMs, width, mode: saved.mode };
      // Still loading: as saved, until the whole trace is in (see `frame`).
      if (this.loadStartedAt !== null) return v;
      return saved.mode === 'fit' ? fitView(model.endTime, width) : track(v, model.endTime, width);
    }
    return fitView(model.endTime, width);
  }

  private placeholder(model: TraceModel, layout: LaneLayout): string | null {
    if (layout.rows.length > 0) return null;
    if (model.tasks.length === 0) return this.session.live ? 'No tasks yet…' : 'No tasks were recorded.';
    return 'No task matches the filter.';
  }

  private geometryFor(width: number, height: number, scrollTop: number): Geometry {
    return { width, height, labelWidth: this.labelWidth, axisHeight: AXIS_HEIGHT, rowHeight: ROW_HEIGHT, scrollTop };
  }

  /** The scene of the current frame (also what the tests and the benchmark inspect). */
  scene(width = this.scroller.clientWidth, height = this.scroller.clientHeight): Scene {
    const model = this.session.model!;
    const layout = this.layout!;
    const geometry = this.geometryFor(width, height, this.scroller.scrollTop);
    return {
      model,
      layout,
      view: this.view!,
      geometry,
      arrows: this.state.arrows,
      edges: this.session.edges,
      marks: (task) => this.session.marks(task),
      runWarnings: this.session.runWarnings,
      cursor: this.state.cursor,
    };
  }

  /** The widest label of the layout's rows from `from` on, in pixels. */
  private widestLabelOf(layout: LaneLayout, from: number): number {
    const ctx = this.canvas.getContext('2d')!;
    ctx.font = this.theme.font;
    const charWidth = ctx.measureText('abcdefghijklmnopqrstuvwxyz_0123456789').width / 37;
    let widest = 0;
    const rows = layout.rows;
    for (let r = from; r < rows.length; r++) {
      const row = rows[r];
      const chars = row.kind === 'task' ? taskLabel(row.task).length + 5 : row.resource.name.length + 10;
      const depth = row.kind === 'task' ? Math.min(row.depth, 12) : 0;
      const w = 4 + depth * INDENT + 27 + chars * charWidth + 8;
      if (w > widest) widest = w;
    }
    return widest;
  }

  private boundLabelWidth(widest: number, width: number): number {
    const max = Math.max(MIN_LABEL_WIDTH, Math.min(MAX_LABEL_WIDTH, width * 0.4));
    return Math.round(Math.min(max, Math.max(MIN_LABEL_WIDTH, widest)));
  }

  /** The lanes must be laid out again; `grown`: only because tasks were added. */
  private needLayout(grown = false): void {
    this.layoutGrows = (this.layoutDirty ? this.layoutGrows : true) && grown;
    this.layoutDirty = true;
  }

  private updateStatus(): void {
    const model = this.session.model;
    if (!model) {
      this.statusText.textContent = '';
      return;
    }
    const parts = [`${model.tasks.length} task${model.tasks.length === 1 ? '' : 's'}`, `${groupThousands(model.eventCount)} events`];
    parts.push(formatTime(model.endTime));
    if (this.loadStartedAt !== null && !this.session.live) parts.push('loading…');
    else if (this.session.live) parts.push(this.view?.mode === 'free' ? 'live (End to follow)' : 'live');
    else if (!model.runFinished) parts.push('truncated');
    if (model.runFinished && model.runFinished.droppedEvents > 0) parts.push(`${model.runFinished.droppedEvents} dropped`);
    const textValue = parts.join(' · ');
    if (this.statusText.textContent !== textValue) this.statusText.textContent = textValue;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Focus and selection

  private focusRow(): number {
    const layout = this.layout;
    const id = this.state.focusedTask;
    if (!layout || id === null || id >= layout.rowOfTask.length) return -1;
    return layout.rowOfTask[id];
  }

  private focusHitFor(row: number): Hit | null {
    if (row < 0 || !this.focusItem || !this.layout) return null;
    const lane = this.layout.rows[row];
    if (!lane || lane.kind !== 'task' || lane.task.id !== this.state.focusedTask) return null;
    return itemHit(row, lane.task, this.session.marks(lane.task.id), this.focusItem);
  }

  private setFocusRow(row: number, announceIt = true): void {
    const layout = this.layout;
    if (!layout || layout.rows.length === 0) return;
    const r = Math.max(0, Math.min(layout.rows.length - 1, row));
    const lane = layout.rows[r];
    if (lane.kind !== 'task') {
      // Resource lanes are read out, but the keyboard's focus (and its events) stay with task lanes.
      if (announceIt) this.say(`${lane.resource.name}, ${lane.resource.kind}, ${lane.resource.events.length} events`);
      this.scrollRowIntoView(r);
      return;
    }
    if (lane.task.id !== this.state.focusedTask) this.focusItem = null;
    this.state.focusedTask = lane.task.id;
    this.scrollRowIntoView(r);
    if (announceIt) {
      const model = this.session.model!;
      const content = describeHit(model, { kind: 'label', row: r, task: lane.task, twisty: false }, this.session.live);
      if (content) this.say(`Lane ${r + 1} of ${layout.rows.length}: ${announce(content)}`);
    }
    this.saveState();
    this.invalidate();
  }

  private scrollRowIntoView(row: number): void {
    const g = this.geometryFor(this.scroller.clientWidth, this.scroller.clientHeight, this.scroller.scrollTop);
    const top = rowTop(g, row);
    if (top < g.axisHeight) this.scroller.scrollTop -= g.axisHeight - top;
    else if (top + g.rowHeight > g.height) this.scroller.scrollTop += top + g.rowHeight - g.height;
  }

  private stepFocusItem(step: 1 | -1): void {
    const row = this.focusRow();
    const layout = this.layout;
    if (row < 0 || !layout) {
      this.setFocusRow(0);
      return;
    }
    const lane = layout.rows[row];
    if (lane.kind !== 'task') return;
    const marks = this.session.marks(lane.task.id);
    const items = laneItems(lane.task, marks);
    let current = this.focusItem;
    if (!current && this.view) {
      current = itemAt(items, step > 0 ? this.view.start : viewEnd(this.view));
      if (current && step < 0) current = stepItem(items, current, 1);
      this.focusItem = step > 0 ? current : stepItem(items, current, -1);
    } else {
      this.focusItem = stepItem(items, current, step);
    }
    this.showFocusItem(row);
  }

  private showFocusItem(row: number): void {
    const layout = this.layout!;
    const lane = layout.rows[row];
    if (!this.focusItem || lane.kind !== 'task' || !this.view) return;
    const model = this.session.model!;
    const [t0, t1] = itemSpan(lane.task, this.focusItem);
    this.view = reveal(this.view, t0, t1, model.endTime, this.session.live);
    const hit = itemHit(row, lane.task, this.session.marks(lane.task.id), this.focusItem);
    const content = describeHit(model, hit, this.session.live);
    if (content) {
      this.say(announce(content));
      const rect = this.canvas.getBoundingClientRect();
      const g = this.geometryFor(this.scroller.clientWidth, this.scroller.clientHeight, this.scroller.scrollTop);
      const scene = { ...this.scene(), geometry: g };
      const x = Math.max(g.labelWidth, Math.min(g.width - 20, xOf(scene, (t0 + t1) / 2)));
      this.showTooltip(content, rect.left + x, rect.top + rowTop(g, row) + g.rowHeight);
    }
    this.saveState();
    this.invalidate();
  }

  private revealTask(task: number): void {
    const model = this.session.model;
    if (!model || !model.taskById.has(task)) return;
    // Unfold its ancestors, and drop a filter that hides it.
    const collapsed = new Set(this.state.collapsed);
    for (let p = model.taskById.get(task)!.parent; p !== null; p = model.taskById.get(p)?.parent ?? null) collapsed.delete(p);
    this.state.collapsed = [...collapsed];
    let layout = layoutLanes(model, { filter: this.state.filter, collapsed, showResources: this.state.showResources });
    if (layout.rowOfTask[task] < 0) {
      this.setFilter({ text: '', states: [], hideFinished: false });
      layout = layoutLanes(model, { filter: this.state.filter, collapsed, showResources: this.state.showResources });
      this.say('Filter cleared to show the task');
    }
    this.layout = layout;
    this.layoutDirty = false;
    this.layoutGrows = false;
    this.widestLabel = this.widestLabelOf(layout, 0);
    this.widestLabelFont = this.theme.font;
    this.focusItem = null;
    this.state.focusedTask = task;
    this.scrollRowIntoView(layout.rowOfTask[task]);
    this.saveState();
    this.invalidate();
  }

  private toggleCollapsed(taskId: number): void {
    const collapsed = new Set(this.state.collapsed);
    if (collapsed.has(taskId)) collapsed.delete(taskId);
    else collapsed.add(taskId);
    this.state.collapsed = [...collapsed];
    this.needLayout();
    this.saveState();
    this.invalidate();
    const task = this.session.model?.taskById.get(taskId);
    if (task) this.say(`${task.name} ${collapsed.has(taskId) ? 'collapsed' : 'expanded'}`);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Actions

  /** Opens a site: in VS Code the host opens the editor; the report shows `file:line`. */
  openSite(site: SourceSite | null): void {
    if (!site) return;
    const header = this.session.header;
    const where = header ? formatSite(header, site) : `${site.file}:${site.line}`;
    if (this.host.kind === 'report') {
      this.sourceText.textContent = `Source: ${where}`;
      this.sourceText.title = `${site.file}:${site.line}:${site.column} (open the trace in VS Code to jump there)`;
      return;
    }
    this.sourceText.textContent = '';
    this.host.post({ type: MessageType.OpenSite, site });
  }

  zoomBy(factor: number, anchorX?: number): void {
    if (!this.view || !this.session.model) return;
    const x = anchorX ?? this.zoomAnchor();
    this.view = zoomAt(this.view, factor, x, this.session.model.endTime, this.session.live);
    this.saveState();
    this.invalidate();
  }

  /** Keyboard zoom keeps the focused event, else the cursor, else the centre in place. */
  private zoomAnchor(): number {
    const view = this.view!;
    const candidates: number[] = [];
    const row = this.focusRow();
    if (row >= 0 && this.focusItem && this.layout) {
      const lane = this.layout.rows[row];
      if (lane.kind === 'task') {
        const [t0, t1] = itemSpan(lane.task, this.focusItem);
        candidates.push((t0 + t1) / 2);
      }
    }
    if (this.state.cursor !== null) candidates.push(this.state.cursor);
    for (const t of candidates) {
      const x = (t - view.start) * view.pxPerMs;
      if (x >= 0 && x <= view.width) return x;
    }
    return view.width / 2;
  }

  panBy(dx: number): void {
    if (!this.view || !this.session.model) return;
    this.view = panBy(this.view, dx, this.session.model.endTime, this.session.live);
    this.saveState();
    this.invalidate();
  }

  fit(): void {
    if (!this.session.model) return;
    this.view = fitView(this.session.model.endTime, plotWidth(this.geometryFor(this.scroller.clientWidth, 1, 0)));
    this.saveState();
    this.invalidate();
  }

  setCursor(t: number | null, post: 'now' | 'throttled' | 'never'): void {
    this.state.cursor = t;
    this.invalidate();
    this.saveState();
    if (post === 'never') return;
    const send = (): void => {
      this.lastCursorPost = performance.now();
      this.cursorPostTimer = undefined;
      this.host.post({ type: MessageType.CursorChanged, t: this.state.cursor });
    };
    if (post === 'now') {
      if (this.cursorPostTimer !== undefined) window.clearTimeout(this.cursorPostTimer);
      send();
      return;
    }
    const wait = CURSOR_POST_MS - (performance.now() - this.lastCursorPost);
    if (wait <= 0) send();
    else if (this.cursorPostTimer === undefined) this.cursorPostTimer = window.setTimeout(send, wait);
  }

  private toggleStateFilter(state: TaskState): void {
    const states = new Set(this.state.filter.states);
    if (states.has(state)) states.delete(state);
    else states.add(state);
    this.state.filter = { ...this.state.filter, states: FILTER_STATES.filter((s) => states.has(s)) };
    this.stateChips.get(state)!.setAttribute('aria-pressed', String(states.has(state)));
    this.filterChanged();
  }

  private setFilter(filter: ViewState['filter']): void {
    this.state.filter = { ...filter, states: [...filter.states] };
    this.filterInput.value = filter.text;
    this.hideFinishedBox.checked = filter.hideFinished;
    for (const [state, chip] of this.stateChips) chip.setAttribute('aria-pressed', String(filter.states.includes(state)));
    this.filterChanged();
  }

  private filterChanged(): void {
    this.needLayout();
    this.saveState();
    this.scheduleTable();
    this.invalidate();
  }

  private toggleTable(): void {
    this.state.showTable = !this.state.showTable;
    this.tableButton.setAttribute('aria-pressed', String(this.state.showTable));
    this.saveState();
    if (this.state.showTable) this.buildTable();
    else {
      this.tableBox.hidden = true;
      this.tableBox.replaceChildren();
    }
  }

  private say(message: string): void {
    // Re-setting the same text is not announced: alternate a trailing space.
    this.liveRegion.textContent = this.liveRegion.textContent === message ? `${message} ` : message;
  }

  private saveState(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = undefined;
      this.flushState();
    }, 250);
  }

  /** Writes the view state now (the tests call it; the debounce calls it). */
  flushState(): void {
    if (this.view) this.state.view = { start: this.view.start, pxPerMs: this.view.pxPerMs, mode: this.view.mode };
    this.state.scrollTop = this.scroller.scrollTop;
    this.host.setState(this.state);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Tooltip

  private showTooltip(content: TooltipContent, clientX: number, clientY: number): void {
    const tip = this.tooltip;
    const title = el('div', 'ct-tt-title');
    title.textContent = content.title;
    const table = document.createElement('table');
    table.setAttribute('role', 'presentation');
    for (const [k, v] of content.rows) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = k;
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(th, td);
      table.appendChild(tr);
    }
    tip.replaceChildren(title, table);
    tip.hidden = false;
    const margin = 8;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    let left = clientX + 14;
    let top = clientY + 16;
    if (left + w + margin > window.innerWidth) left = Math.max(margin, clientX - w - 14);
    if (top + h + margin > window.innerHeight) top = Math.max(margin, clientY - h - 12);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Input

  private local(event: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private hitAt(x: number, y: number): Hit | null {
    if (!this.session.model || !this.layout || !this.view) return null;
    return hitTest(this.scene(), x, y);
  }

  private bindInput(): void {
    const scroller = this.scroller;
    scroller.addEventListener('scroll', () => {
      this.hideTooltip();
      this.saveState();
      this.invalidate();
    });
    scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('pointercancel', () => (this.drag = null));
    this.canvas.addEventListener('pointerleave', () => {
      if (this.drag) return;
      this.hover = null;
      this.hideTooltip();
      this.invalidate();
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const p = this.local(e);
      const hit = this.hitAt(p.x, p.y);
      if (hit?.kind === 'label' && !hit.twisty) this.openSite(hit.task.site);
      else if (hit?.kind === 'resourceLabel') this.openSite(hit.resource.site);
    });
    scroller.addEventListener('keydown', (e) => this.onKeyDown(e));

    let filterTimer: number | undefined;
    this.filterInput.addEventListener('input', () => {
      window.clearTimeout(filterTimer);
      filterTimer = window.setTimeout(() => {
        this.state.filter = { ...this.state.filter, text: this.filterInput.value };
        this.filterChanged();
      }, 120);
    });
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.filterInput.value !== '') {
        this.filterInput.value = '';
        this.state.filter = { ...this.state.filter, text: '' };
        this.filterChanged();
        e.preventDefault();
      } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
        scroller.focus();
        e.preventDefault();
      }
    });
  }

  private onWheel(e: WheelEvent): void {
    if (!this.view || !this.session.model) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.scroller.clientHeight : 1;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      const p = this.local(e);
      const factor = Math.exp(-e.deltaY * unit * 0.002);
      this.zoomBy(factor, Math.max(0, p.x - this.labelWidth));
      return;
    }
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      const delta = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX;
      this.panBy(delta * unit);
    }
    // Otherwise the lanes scroll vertically, natively.
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.view) return;
    this.scroller.focus({ preventScroll: true });
    const p = this.local(e);
    const g = this.geometryFor(this.scroller.clientWidth, this.scroller.clientHeight, this.scroller.scrollTop);
    const hit = this.hitAt(p.x, p.y);
    const nearCursor =
      this.state.cursor !== null &&
      p.x >= g.labelWidth &&
      Math.abs(p.x - (g.labelWidth + (this.state.cursor - this.view.start) * this.view.pxPerMs)) <= 4;
    if ((hit?.kind === 'axis' || nearCursor) && p.x >= g.labelWidth) {
      this.drag = { kind: 'cursor', pointerId: e.pointerId };
      this.canvas.setPointerCapture(e.pointerId);
      this.setCursor(xToTime(this.view, p.x - g.labelWidth), 'throttled');
      this.hideTooltip();
      return;
    }
    if (p.x < g.labelWidth) {
      this.drag = { kind: 'label', pointerId: e.pointerId, hit };
      return;
    }
    this.drag = {
      kind: 'pan',
      pointerId: e.pointerId,
      x: e.clientX,
      y: e.clientY,
      view: this.view,
      scrollTop: this.scroller.scrollTop,
      moved: false,
      hit,
    };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onPointerMove(e: PointerEvent): void {
    const drag = this.drag;
    if (drag?.kind === 'pan' && this.view && this.session.model) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        this.canvas.style.cursor = 'grabbing';
        this.hideTooltip();
      }
      this.view = panBy(drag.view, -dx, this.session.model.endTime, this.session.live);
      this.scroller.scrollTop = drag.scrollTop - dy;
      this.saveState();
      this.invalidate();
      return;
    }
    if (drag?.kind === 'cursor' && this.view) {
      const p = this.local(e);
      this.setCursor(Math.max(0, xToTime(this.view, p.x - this.labelWidth)), 'throttled');
      return;
    }
    const p = this.local(e);
    const hit = this.hitAt(p.x, p.y);
    if (!sameHit(hit, this.hover)) {
      this.hover = hit;
      this.invalidate();
    }
    const model = this.session.model;
    const content = hit && model ? describeHit(model, hit, this.session.live) : null;
    if (content && hit?.kind !== 'axis') this.showTooltip(content, e.clientX, e.clientY);
    else this.hideTooltip();
    const clickable = hit !== null && (hit.kind === 'label' || hit.kind === 'axis' || siteOfHit(hit) !== null);
    this.canvas.style.cursor = hit?.kind === 'axis' ? 'col-resize' : clickable ? 'pointer' : 'default';
  }

  private onPointerUp(e: PointerEvent): void {
    const drag = this.drag;
    this.drag = null;
    if (!drag) return;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.canvas.style.cursor = 'default';
    if (drag.kind === 'cursor') {
      this.setCursor(this.state.cursor, 'now');
      return;
    }
    if (drag.kind === 'label') {
      const hit = drag.hit;
      if (hit?.kind === 'label') {
        if (hit.twisty) this.toggleCollapsed(hit.task.id);
        else {
          this.setFocusRow(hit.row);
          this.host.post({ type: MessageType.TaskSelected, task: hit.task.id });
        }
      }
      return;
    }
    if (drag.moved) return;
    const hit = drag.hit;
    if (!hit) return;
    this.clickHit(hit);
  }

  /** A click on the plot: focus what was hit and open its site. */
  private clickHit(hit: Hit): void {
    if ('row' in hit && hit.row >= 0 && 'task' in hit && hit.task) {
      this.state.focusedTask = hit.task.id;
      this.focusItem =
        hit.kind === 'segment'
          ? { kind: 'segment', index: hit.index, t: hit.segment.start }
          : hit.kind === 'end' && hit.task.end
            ? { kind: 'end', t: hit.task.end.t }
            : null;
      this.host.post({ type: MessageType.TaskSelected, task: hit.task.id });
      this.invalidate();
    }
    if (hit.kind === 'segment' || hit.kind === 'end' || hit.kind === 'arrow' || hit.kind === 'deadlock' || hit.kind === 'warning') {
      this.openSite(siteOfHit(hit));
    }
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (!this.view || !this.session.model || !this.layout) return;
    const model = this.session.model;
    const plot = this.view.width;
    const rows = this.layout.rows.length;
    const pageRows = Math.max(1, Math.floor((this.scroller.clientHeight - AXIS_HEIGHT) / ROW_HEIGHT) - 1);
    let handled = true;
    switch (e.key) {
      case '+':
      case '=':
        this.zoomBy(ZOOM_STEP);
        break;
      case '-':
      case '_':
        this.zoomBy(1 / ZOOM_STEP);
        break;
      case '0':
        this.fit();
        break;
      case 'ArrowLeft':
        this.panBy(-plot * (e.shiftKey ? 0.5 : 0.1));
        break;
      case 'ArrowRight':
        this.panBy(plot * (e.shiftKey ? 0.5 : 0.1));
        break;
      case 'ArrowUp':
        this.setFocusRow(this.focusRow() < 0 ? 0 : this.focusRow() - 1);
        break;
      case 'ArrowDown':
        this.setFocusRow(this.focusRow() < 0 ? 0 : this.focusRow() + 1);
        break;
      case 'PageUp':
        this.setFocusRow(Math.max(0, this.focusRow() - pageRows));
        break;
      case 'PageDown':
        this.setFocusRow(Math.min(rows - 1, Math.max(0, this.focusRow()) + pageRows));
        break;
      case 'Home':
        if (e.ctrlKey || e.metaKey) this.setFocusRow(0);
        else {
          this.view = toStart(this.view, model.endTime, this.session.live);
          this.saveState();
          this.invalidate();
        }
        break;
      case 'End':
        if (e.ctrlKey || e.metaKey) this.setFocusRow(rows - 1);
        else {
          this.view = toEnd(this.view, model.endTime);
          this.saveState();
          this.invalidate();
        }
        break;
      case ']':
      case '.':
        this.stepFocusItem(1);
        break;
      case '[':
      case ',':
        this.stepFocusItem(-1);
        break;
      case 'Enter': {
        const row = this.focusRow();
        const hit = this.focusHitFor(row);
        if (hit) this.openSite(siteOfHit(hit));
        else if (row >= 0) {
          const lane = this.layout.rows[row];
          if (lane.kind === 'task') this.openSite(lane.task.site);
        }
        break;
      }
      case ' ': {
        const lane = this.layout.rows[this.focusRow()];
        if (lane?.kind === 'task' && lane.hasChildren) this.toggleCollapsed(lane.task.id);
        break;
      }
      case 'c':
      case 'C': {
        const row = this.focusRow();
        const lane = this.layout.rows[row];
        if (lane?.kind === 'task' && this.focusItem) {
          const [t0] = itemSpan(lane.task, this.focusItem);
          this.setCursor(t0, 'now');
          this.say(`Time cursor at ${formatTime(t0)}`);
        }
        break;
      }
      case 'Escape':
        if (this.focusItem) {
          this.focusItem = null;
          this.hideTooltip();
          this.invalidate();
        } else if (this.state.cursor !== null) {
          this.setCursor(null, 'now');
          this.say('Time cursor removed');
        } else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // The accessible table

  private scheduleTable(): void {
    if (!this.state.showTable) return;
    if (this.tableTimer !== undefined) return;
    const wait = Math.max(0, TABLE_REFRESH_MS - (performance.now() - this.tableBuiltAt));
    this.tableTimer = window.setTimeout(() => {
      this.tableTimer = undefined;
      this.buildTable();
    }, wait);
  }

  private buildTable(): void {
    const model = this.session.model;
    this.tableBox.hidden = false;
    this.tableBuiltAt = performance.now();
    if (!model) {
      this.tableBox.replaceChildren(text('p', this.session.emptyMessage ?? 'No trace yet.'));
      return;
    }
    const layout =
      this.layout && !this.layoutDirty
        ? this.layout
        : layoutLanes(model, { filter: this.state.filter, collapsed: new Set(), showResources: false });
    const table = document.createElement('table');
    const caption = document.createElement('caption');
    const taskRows = layout.rows.filter((r) => r.kind === 'task');
    const shown = Math.min(taskRows.length, MAX_TABLE_ROWS);
    caption.textContent =
      `Tasks and their states (${model.tasks.length} tasks, ${formatTime(model.endTime)}` +
      (shown < taskRows.length ? `; the first ${shown} of ${taskRows.length} shown` : '') +
      (this.state.cursor !== null ? `; time cursor at ${formatTime(this.state.cursor)}` : '') +
      ')';
    table.appendChild(caption);
    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    const columns = ['Task', 'Parent', 'State', ...(this.state.cursor !== null ? ['At cursor'] : []), 'Created', 'Ended', 'History', 'Source'];
    for (const c of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c;
      headRow.appendChild(th);
    }
    head.appendChild(headRow);
    table.appendChild(head);
    const body = document.createElement('tbody');
    for (let i = 0; i < shown; i++) {
      const row = taskRows[i];
      if (row.kind !== 'task') continue;
      const task = row.task;
      const tr = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = `${'  '.repeat(Math.min(row.depth, 12))}${taskLabel(task)} (#${task.id})`;
      tr.appendChild(name);
      tr.appendChild(text('td', task.parent !== null ? (model.taskById.get(task.parent)?.name ?? `#${task.parent}`) : '—'));
      tr.appendChild(text('td', task.state));
      if (this.state.cursor !== null) {
        const cursor = this.state.cursor;
        const at = task.lane.indexAt(cursor);
        tr.appendChild(text('td', at >= 0 ? task.lane.state(at) : 'not created'));
      }
      tr.appendChild(text('td', formatTime(task.createdAt)));
      tr.appendChild(text('td', task.endedAt !== undefined ? formatTime(task.endedAt) : '—'));
      tr.appendChild(text('td', stateHistory(model, task)));
      const siteCell = document.createElement('td');
      if (task.site) {
        const b = document.createElement('button');
        b.type = 'button';
        const site = task.site;
        b.textContent = formatSite(model.header, site);
        b.addEventListener('click', () => this.openSite(site));
        siteCell.appendChild(b);
      }
      tr.appendChild(siteCell);
      body.appendChild(tr);
    }
    table.appendChild(body);
    this.tableBox.replaceChildren(table);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // For tests and the benchmark

  /** Canvas x (CSS px) of trace time `t`. */
  xOfTime(t: number): number {
    return this.labelWidth + (t - this.view!.start) * this.view!.pxPerMs;
  }

  /** Canvas y (CSS px) of the middle of a task's bar, or null when its lane is not shown. */
  barCenterY(task: number): number | null {
    const layout = this.layout;
    if (!layout || task >= layout.rowOfTask.length) return null;
    const row = layout.rowOfTask[task];
    if (row < 0) return null;
    const g = this.geometryFor(this.scroller.clientWidth, this.scroller.clientHeight, this.scroller.scrollTop);
    return rowTop(g, row) + 6 + 6;
  }

  get currentView(): Viewport | null {
    return this.view;
  }

  get colours(): Theme {
    return this.theme;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// DOM helpers

let stylesAdopted = false;

function adoptStyles(): void {
  if (stylesAdopted) return;
  stylesAdopted = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(TIMELINE_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function el(tag: string, className: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

function text(tag: string, value: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = value;
  return e;
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

function checkbox(parent: HTMLElement, label: string, checked: boolean, title: string): HTMLInputElement {
  const wrapper = document.createElement('label');
  wrapper.title = title;
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = checked;
  wrapper.append(input, document.createTextNode(label));
  parent.appendChild(wrapper);
  return input;
}

function buildLegend(): HTMLElement {
  const legend = el('div', 'ct-legend');
  legend.setAttribute('aria-label', 'Legend');
  for (let c = 0; c < CATEGORY_COUNT; c++) {
    const item = document.createElement('span');
    const swatch = el('span', 'ct-swatch');
    swatch.style.background = `var(${CATEGORY_INFO[c].cssVar})`;
    swatch.dataset.category = String(c);
    item.append(swatch, document.createTextNode(CATEGORY_INFO[c].label));
    legend.appendChild(item);
  }
  const glyphs: Array<[string, string, string, string?]> = [
    ['●', '--ct-done', 'done'],
    ['✖', '--ct-failed', 'failed'],
    ['⊘', '--ct-cancelled', 'cancelled'],
    ['▼', '--ct-output', 'output'],
    ['▲', '--ct-warning', 'warning'],
    ['↻', '--ct-warning', 'deadlock: waits for', 'A deadlock: each waiting task points at the task it waits for'],
    [
      '▨',
      '--ct-warning',
      'blocked loop: delayed',
      'A step that blocked the loop: a band over its span; hatched, the tasks it kept from running',
    ],
  ];
  for (const [glyph, cssVar, label, title] of glyphs) {
    const item = document.createElement('span');
    if (title) item.title = title;
    const mark = el('span', 'ct-glyph');
    mark.textContent = glyph;
    mark.style.color = `var(${cssVar})`;
    mark.setAttribute('aria-hidden', 'true');
    item.append(mark, document.createTextNode(label));
    legend.appendChild(item);
  }
  return legend;
}

function sameHit(a: Hit | null, b: Hit | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'segment':
      return b.kind === 'segment' && a.task === b.task && a.index === b.index;
    case 'end':
      return b.kind === 'end' && a.task === b.task;
    case 'arrow':
      return b.kind === 'arrow' && a.edge === b.edge;
    case 'deadlock':
      return b.kind === 'deadlock' && a.arrow === b.arrow;
    case 'output':
    case 'warning':
      return (b.kind === 'output' || b.kind === 'warning') && a.events[0] === b.events[0];
    default:
      return false;
  }
}

/** `1234567` as `1,234,567` (toLocaleString's first call costs tens of milliseconds, in the first frame). */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
