// Pairs DevTools panels with their tab's workspace over ports and sends them records in batches of ~8 ms.

import type { Runtime } from 'webextension-polyfill';
import { isKeyringCommand, isPanelToBackground, PANEL_PORT_PREFIX, type BackgroundToPanel, type PanelToBackground } from '../src/messages.js';
import type { TimelineRecord } from '../src/timeline/record.js';
import { recordChars } from '../src/timeline/record-size.js';
import type { Workspace } from './workspace.js';

/**
 * Records wait at most half an animation frame (the panel still waits for its next frame to render them): latency
 * stays low, and a burst still goes out in one message.
 */
export const BATCH_INTERVAL_MS = 8;
const MAX_RECORDS_PER_BATCH = 5_000;
/**
 * Record characters per message: far below what a port accepts (Chrome refuses a message over 64 MiB of JSON, and
 * escaping can multiply a text's length), and small enough that the panel parses one without a long task.
 */
export const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;
/** The welcome carries this many backlog records; the rest follow in parts, so a panel is usable at once. */
const WELCOME_RECORDS = 500;
/**
 * Backlog records per later part. A part goes once the panel says it showed the previous one (it answers after its
 * next frame), so the panel paints between parts instead of parsing the whole backlog before its first frame.
 */
const BACKLOG_PART_RECORDS = 5_000;
/** A panel that does not answer (hidden, so no frames; or a part it never got) gets the next part after this. */
export const BACKLOG_PART_TIMEOUT_MS = 250;
/** Sockets close this long after the last panel of a tab went away (a reload of the panel keeps them). */
export const IDLE_GRACE_MS = 15_000;

/** Where the chunk of `records` that starts at `from` ends: at most `maxRecords` records and MAX_MESSAGE_CHARS characters. */
export function chunkEnd(records: readonly TimelineRecord[], from: number, maxRecords: number): number {
  let chars = 0;
  let end = from;
  while (end < records.length && end - from < maxRecords) {
    chars += recordChars(records[end]!);
    if (chars > MAX_MESSAGE_CHARS && end > from) break;
    end++;
  }
  return end;
}

interface Pending {
  records: TimelineRecord[];
  servers: boolean;
  page: boolean;
}

export interface RouterDeps {
  workspace(tabId: number): Promise<Workspace>;
  existing(tabId: number): Workspace | undefined;
  /** A panel said hello for this tab (with its Preserve log setting). */
  panelAttached?(tabId: number, preserveLog: boolean): void;
  /** A panel that had said hello went away. */
  panelDetached?(tabId: number): void;
  preserveLogChanged?(tabId: number, on: boolean): void;
}

export function panelTabId(port: Runtime.Port): number | undefined {
  if (!port.name.startsWith(PANEL_PORT_PREFIX)) return undefined;
  const tabId = Number(port.name.slice(PANEL_PORT_PREFIX.length));
  return Number.isInteger(tabId) && tabId >= 0 ? tabId : undefined;
}

export class PanelRouter {
  private readonly ports = new Map<number, Set<Runtime.Port>>();
  private readonly pending = new Map<number, Pending>();
  private readonly idleTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ports still receiving their backlog: newer records wait, or the panel would drop the older ones as seen. */
  private readonly catchingUp = new Set<Runtime.Port>();
  /** For a port catching up: sends the next backlog part once the panel says it received `part`. */
  private readonly backlogWaits = new Map<Runtime.Port, { part: number; next(): void }>();

  constructor(private readonly deps: RouterDeps) {}

  attach(port: Runtime.Port, tabId: number): void {
    let greeted = false;
    let gone = false;
    port.onMessage.addListener((message: unknown) => {
      if (!isPanelToBackground(message)) {
        console.warn('LiveQuery DevTools: dropped an invalid panel message', message);
        return;
      }
      if (message.type === 'hello') {
        if (message.tabId !== tabId || greeted) return;
        greeted = true;
        void this.greet(port, tabId, message, () => gone);
        return;
      }
      if (!greeted) return;
      if (message.type === 'setPreserveLog') return this.deps.preserveLogChanged?.(tabId, message.on);
      if (message.type === 'backlogReceived') {
        const wait = this.backlogWaits.get(port);
        if (wait?.part === message.part) wait.next();
        return;
      }
      // The keyring is not the tab's: KeyringPorts answers these on the same port.
      if (isKeyringCommand(message)) return;
      void this.command(port, tabId, message);
    });
    port.onDisconnect.addListener(() => {
      gone = true;
      const registered = this.ports.get(tabId)?.has(port) === true;
      this.detach(port, tabId);
      if (registered) this.deps.panelDetached?.(tabId);
    });
  }

  recordAdded(tabId: number, record: TimelineRecord): void {
    if (!this.ports.get(tabId)?.size) return;
    this.pendingFor(tabId).records.push(record);
    this.scheduleFlush();
  }

  viewChanged(tabId: number, what: 'servers' | 'page'): void {
    if (!this.ports.get(tabId)?.size) return;
    this.pendingFor(tabId)[what] = true;
    this.scheduleFlush();
  }

  private async greet(
    port: Runtime.Port,
    tabId: number,
    hello: Extract<PanelToBackground, { type: 'hello' }>,
    isGone: () => boolean,
  ) {
    const workspace = await this.deps.workspace(tabId);
    // The panel went away while the workspace was loading: do not register a dead port (it would keep sockets open).
    if (isGone()) return;
    clearTimeout(this.idleTimers.get(tabId));
    this.idleTimers.delete(tabId);
    let set = this.ports.get(tabId);
    if (!set) this.ports.set(tabId, (set = new Set()));
    set.add(port);
    if (!workspace.isActive) workspace.activate();
    this.deps.panelAttached?.(tabId, hello.preserveLog === true);
    // Records already queued for other panels of this tab may arrive twice; panels drop seqs they have.
    const { records, dropped } = workspace.recorder.since(hello.after);
    const first = chunkEnd(records, 0, WELCOME_RECORDS);
    // Oldest first, in parts: the panel appends in order and paints between parts.
    const rest = records.slice(first);
    const more = rest.length > 0;
    if (more) this.catchingUp.add(port);
    this.welcome(port, workspace, records.slice(0, first), dropped, more ? 0 : undefined);
    if (!more) return;
    let part = 0;
    let from = 0;
    /** Posts the next part; false when none is left (or the panel went away). */
    const sendPart = (): boolean => {
      if (from >= rest.length || !this.ports.get(tabId)?.has(port)) {
        this.catchingUp.delete(port);
        return false;
      }
      const end = chunkEnd(rest, from, BACKLOG_PART_RECORDS);
      this.postRecords(port, workspace, { type: 'batch', records: rest.slice(from, end), backlogPart: ++part });
      from = end;
      if (from >= rest.length) this.catchingUp.delete(port);
      return true;
    };
    // Nothing more goes before the welcome is on screen. Then two parts are in flight: the worker writes the next one
    // while the panel reads this one, and each answer lets one more go.
    const awaitOldest = (oldest: number) =>
      this.awaitBacklogPart(port, oldest, () => {
        if (sendPart() || oldest < part) awaitOldest(oldest + 1);
      });
    this.awaitBacklogPart(port, 0, () => {
      sendPart();
      sendPart();
      if (part >= 1) awaitOldest(1);
    });
  }

  /** Runs `sendNext` once the panel says it received backlog part `part`, or after BACKLOG_PART_TIMEOUT_MS. */
  private awaitBacklogPart(port: Runtime.Port, part: number, sendNext: () => void): void {
    let done = false;
    const next = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (this.backlogWaits.get(port)?.part === part) this.backlogWaits.delete(port);
      sendNext();
    };
    const timer = setTimeout(next, BACKLOG_PART_TIMEOUT_MS);
    this.backlogWaits.set(port, { part, next });
  }

  /**
   * The first message a panel gets. If it cannot be sent (a view or record the port cannot carry), the panel still
   * gets a welcome: its records follow as batches (where a record that cannot be sent becomes a gap record), and
   * views that cannot be sent are left out and said so.
   */
  private welcome(port: Runtime.Port, workspace: Workspace, backlog: TimelineRecord[], backlogDropped: number, backlogPart?: number): void {
    const epoch = workspace.recorder.epoch;
    const servers = workspace.serverViews();
    const formerServers = workspace.formerServers();
    const pageSockets = workspace.pageSockets();
    const full: BackgroundToPanel = { type: 'welcome', epoch, servers, formerServers, pageSockets, backlog, backlogDropped, backlogPart };
    if (this.post(port, full) !== 'failed') return;
    const bare: BackgroundToPanel = { type: 'welcome', epoch, servers, formerServers, pageSockets, backlog: [], backlogDropped, backlogPart };
    let sent = this.post(port, bare);
    if (sent === 'failed') {
      sent = this.post(port, { ...bare, pageSockets: [] });
      if (sent === 'sent') this.notDelivered(workspace, 0, 'the page\'s sockets could not be sent to the panel');
    }
    if (sent === 'sent' && backlog.length) this.postRecords(port, workspace, { type: 'batch', records: backlog });
  }

  private async command(port: Runtime.Port, tabId: number, message: PanelToBackground): Promise<void> {
    if (message.type === 'hello' || message.type === 'heartbeat' || message.type === 'setPreserveLog' || message.type === 'backlogReceived') return;
    if (isKeyringCommand(message)) return;
    const workspace = await this.deps.workspace(tabId);
    const commandId = 'commandId' in message ? message.commandId : undefined;
    try {
      await workspace.run(message);
      if (commandId) this.post(port, { type: 'commandResult', commandId, ok: true });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (commandId) this.post(port, { type: 'commandResult', commandId, ok: false, error: text });
    }
  }

  private detach(port: Runtime.Port, tabId: number): void {
    this.catchingUp.delete(port);
    this.backlogWaits.delete(port);
    const set = this.ports.get(tabId);
    set?.delete(port);
    if (set && set.size > 0) return;
    this.ports.delete(tabId);
    this.pending.delete(tabId);
    clearTimeout(this.idleTimers.get(tabId));
    this.idleTimers.set(
      tabId,
      setTimeout(() => {
        this.idleTimers.delete(tabId);
        if (!this.ports.get(tabId)?.size) void this.deps.existing(tabId)?.deactivate();
      }, IDLE_GRACE_MS),
    );
  }

  private pendingFor(tabId: number): Pending {
    let pending = this.pending.get(tabId);
    if (!pending) this.pending.set(tabId, (pending = { records: [], servers: false, page: false }));
    return pending;
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, BATCH_INTERVAL_MS);
  }

  private flush(): void {
    for (const [tabId, pending] of this.pending) {
      const workspace = this.deps.existing(tabId);
      const ports = this.ports.get(tabId);
      if (!workspace || !ports?.size) continue;
      if ([...ports].some((port) => this.catchingUp.has(port))) {
        this.scheduleFlush();
        continue;
      }
      const records = pending.records.splice(0, chunkEnd(pending.records, 0, MAX_RECORDS_PER_BATCH));
      const message: Extract<BackgroundToPanel, { type: 'batch' }> = {
        type: 'batch',
        records,
        servers: pending.servers ? workspace.serverViews() : undefined,
        formerServers: pending.servers ? workspace.formerServers() : undefined,
        pageSockets: pending.page ? workspace.pageSockets() : undefined,
      };
      pending.servers = pending.page = false;
      for (const port of ports) this.postRecords(port, workspace, message);
      if (pending.records.length) this.scheduleFlush();
    }
  }

  /**
   * Sends a batch; when the port cannot carry it, sends its halves, down to single records, and each record that still
   * cannot be sent becomes a gap record. Views that cannot be sent are dropped from the batch (the next change sends
   * them again).
   */
  private postRecords(port: Runtime.Port, workspace: Workspace, message: Extract<BackgroundToPanel, { type: 'batch' }>): void {
    const sent = this.post(port, message);
    if (sent !== 'failed') return;
    const { records } = message;
    if (message.servers || message.pageSockets) {
      if (!records.length) return this.notDelivered(workspace, 0, 'the servers or page view could not be sent to the panel');
      this.postRecords(port, workspace, { type: 'batch', records });
      if (this.post(port, { type: 'batch', records: [], servers: message.servers, formerServers: message.formerServers, pageSockets: message.pageSockets }) === 'failed') {
        this.notDelivered(workspace, 0, 'the servers or page view could not be sent to the panel');
      }
      return;
    }
    if (records.length > 1) {
      const half = Math.ceil(records.length / 2);
      this.postRecords(port, workspace, { type: 'batch', records: records.slice(0, half) });
      this.postRecords(port, workspace, { type: 'batch', records: records.slice(half) });
      return;
    }
    if (records.length === 1 && records[0]!.marker?.type !== 'notDelivered') this.notDelivered(workspace, 1, undefined, records[0]);
  }

  /** Records that a panel could not be sent something (every panel of the tab sees the record). */
  private notDelivered(workspace: Workspace, count: number, what?: string, record?: TimelineRecord): void {
    const summary = record
      ? `record #${record.seq} (${record.label}) could not be sent to the panel`
      : (what ?? 'a message could not be sent to the panel');
    workspace.record({
      time: Date.now(),
      source: { type: 'extension' },
      kind: 'gap',
      label: 'not delivered',
      marker: { type: 'notDelivered', count, ...(record ? { seq: record.seq } : {}) },
      summary,
    });
  }

  /** 'gone' when the panel went away (its onDisconnect cleans up), 'failed' when the port refused the message. */
  private post(port: Runtime.Port, message: BackgroundToPanel): 'sent' | 'gone' | 'failed' {
    try {
      port.postMessage(message);
      return 'sent';
    } catch (error) {
      return /disconnected/i.test(String(error)) ? 'gone' : 'failed';
    }
  }
}
