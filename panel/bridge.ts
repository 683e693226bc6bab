// The panel's port to the service worker: reconnects by itself, catches up on missed records, keeps the worker alive.

import type { Runtime } from 'webextension-polyfill';
import { extensionApi as browser } from '../src/extension-api.js';
import {
  isBackgroundToPanel,
  PANEL_PORT_PREFIX,
  type BackgroundToPanel,
  type PanelToBackground,
} from '../src/messages.js';

export const HEARTBEAT_MS = 20_000;
const RECONNECT_DELAYS_MS = [50, 200, 500, 1000, 2000];

type CommandMessage = Extract<PanelToBackground, { commandId: string }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Command = DistributiveOmit<CommandMessage, 'commandId'>;
/** What the panel tells the service worker without waiting for an answer. */
export type PanelNotice = Extract<PanelToBackground, { type: 'clearBacklog' | 'setPreserveLog' | 'backlogReceived' }>;

export interface BridgeHandlers {
  onMessage(message: Exclude<BackgroundToPanel, { type: 'commandResult' }>): void;
  onStatus(connected: boolean): void;
  /** Where to resume from after a reconnect. */
  lastSeen(): { epoch: string; seq: number } | undefined;
  /** Whether the page's traffic keeps being recorded after this panel closes. */
  preserveLog(): boolean;
}

export class Bridge {
  private port: Runtime.Port | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private attempt = 0;
  private nextCommandId = 1;
  private readonly waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();

  constructor(
    readonly tabId: number,
    private readonly handlers: BridgeHandlers,
  ) {}

  connect(): void {
    let port: Runtime.Port;
    try {
      port = browser.runtime.connect({ name: PANEL_PORT_PREFIX + this.tabId });
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.port = port;
    port.onMessage.addListener((message: unknown) => this.receive(message));
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = undefined;
      clearInterval(this.heartbeat);
      this.handlers.onStatus(false);
      for (const [, waiter] of this.waiting) waiter.reject(new Error('The service worker restarted; try again'));
      this.waiting.clear();
      this.scheduleReconnect();
    });
    this.post({ type: 'hello', tabId: this.tabId, after: this.handlers.lastSeen(), preserveLog: this.handlers.preserveLog() });
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.post({ type: 'heartbeat' }), HEARTBEAT_MS);
  }

  /** Sends a command and resolves when the service worker has applied it (rejects with its error message). */
  run(command: Command): Promise<void> {
    const commandId = `c${this.nextCommandId++}`;
    return new Promise<void>((resolve, reject) => {
      if (!this.port) {
        reject(new Error('Not connected to the service worker yet; try again in a moment'));
        return;
      }
      this.waiting.set(commandId, { resolve, reject });
      this.post({ ...command, commandId } as CommandMessage);
    });
  }

  send(message: PanelNotice): void {
    this.post(message);
  }

  private post(message: PanelToBackground): void {
    try {
      this.port?.postMessage(message);
    } catch {
      // A disconnect is on its way; onDisconnect reconnects.
    }
  }

  private receive(message: unknown): void {
    if (!isBackgroundToPanel(message)) return;
    if (message.type === 'commandResult') {
      const waiter = this.waiting.get(message.commandId);
      this.waiting.delete(message.commandId);
      if (message.ok) waiter?.resolve();
      else waiter?.reject(new Error(message.error ?? 'failed'));
      return;
    }
    if (message.type === 'welcome') {
      this.attempt = 0;
      this.handlers.onStatus(true);
    }
    this.handlers.onMessage(message);
  }

  private scheduleReconnect(): void {
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt++, RECONNECT_DELAYS_MS.length - 1)];
    setTimeout(() => this.connect(), delay);
  }
}
