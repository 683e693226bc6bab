// The panel's channel to the service worker as a small interface, and the real one over a runtime port (Bridge).

import type { BackgroundToPanel } from '../../src/messages.js';
import { Bridge, type Command, type PanelNotice } from '../bridge.js';

export type { Command, PanelNotice };
export type WorkerMessage = Exclude<BackgroundToPanel, { type: 'commandResult' }>;
/** The newest record the panel has, so that a reconnect only brings what it missed. */
export type ResumePoint = { epoch: string; seq: number };
/** What the panel tells the service worker each time it (re)connects. */
export interface Hello {
  resumeFrom: ResumePoint | undefined;
  /** Whether the page's traffic keeps being recorded after this panel closes. */
  preserveLog: boolean;
}

export interface PanelPort {
  /** Opens the channel, and reopens it after every drop; `hello` is asked at each (re)connect. */
  connect(hello: () => Hello): void;
  /** Runs a command on the service worker; rejects with a message fit for the UI. */
  run(command: Command): Promise<void>;
  /** Tells the service worker something that needs no answer (dropped while disconnected: the next hello says it). */
  send(message: PanelNotice): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onStatus(listener: (connected: boolean) => void): void;
}

export function createBridgePort(tabId: number): PanelPort {
  const messageListeners: ((message: WorkerMessage) => void)[] = [];
  const statusListeners: ((connected: boolean) => void)[] = [];
  let bridge: Bridge | undefined;
  return {
    connect(hello) {
      bridge = new Bridge(tabId, {
        onMessage: (message) => messageListeners.forEach((listener) => listener(message)),
        onStatus: (connected) => statusListeners.forEach((listener) => listener(connected)),
        lastSeen: () => hello().resumeFrom,
        preserveLog: () => hello().preserveLog,
      });
      bridge.connect();
    },
    run(command) {
      if (!bridge) return Promise.reject(new Error('Not connected to the service worker yet'));
      return bridge.run(command);
    },
    send(message) {
      bridge?.send(message);
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onStatus(listener) {
      statusListeners.push(listener);
    },
  };
}
