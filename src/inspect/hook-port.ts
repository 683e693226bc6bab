// The relay's end of the page hook's private channel: takes the hook's handshake, then hears its port and its
// synchronous event, all stopped before any page listener could see them.

import { HOOK_HANDSHAKE, isHookHello, MAX_SYNC_EVENT_CHARS, type RelayToHook } from '../messages.js';

/** The part of the window the relay listens on (the isolated world's view of the page's window). */
export interface RelayWindow {
  addEventListener(type: string, listener: (event: Event) => void, options: { capture: true }): void;
  removeEventListener(type: string, listener: (event: Event) => void, options: { capture: true }): void;
}

const CAPTURE = { capture: true } as const;

export interface HookPort {
  /** To the hook; held until its port arrives (only the latest control matters). */
  control(control: RelayToHook): void;
  /** Removes the listeners and closes the port. */
  close(): void;
}

/**
 * Listens (in the capture phase; call it at document_start, before any page script) for the hook's handshake: the
 * first window message from this window whose data is HOOK_HANDSHAKE and that carries one port. That message is
 * stopped there and the listener removed; page messages before or after it are left alone, and a handshake a page
 * could post later is never looked at.
 */
export function acceptHookPort(win: RelayWindow, onHookMessage: (data: unknown, urgent: boolean) => void): HookPort {
  let port: MessagePort | undefined;
  let pending: RelayToHook | undefined;
  let syncEvent: string | undefined;
  let closed = false;

  const onSyncEvent = (event: Event): void => {
    event.stopImmediatePropagation();
    const detail = (event as CustomEvent<unknown>).detail;
    if (event.target !== win || typeof detail !== 'string' || detail.length > MAX_SYNC_EVENT_CHARS) return;
    let data: unknown;
    try {
      data = JSON.parse(detail);
    } catch {
      return;
    }
    onHookMessage(data, true);
  };

  const onPortMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (isHookHello(data)) {
      if (syncEvent === undefined && !closed) {
        syncEvent = data.syncEvent;
        win.addEventListener(syncEvent, onSyncEvent, CAPTURE);
      }
      return;
    }
    onHookMessage(data, false);
  };

  const onWindowMessage = (event: Event): void => {
    const { source, data, ports } = event as MessageEvent;
    if (port || source !== win || data !== HOOK_HANDSHAKE || ports?.length !== 1) return;
    event.stopImmediatePropagation();
    win.removeEventListener('message', onWindowMessage, CAPTURE);
    port = ports[0]!;
    port.onmessage = onPortMessage;
    if (pending) port.postMessage(pending);
    pending = undefined;
  };

  win.addEventListener('message', onWindowMessage, CAPTURE);
  return {
    control(control) {
      if (closed) return;
      // An injection before the hook's port arrived is dropped (the relay answers `noHook`); a watch waits for it.
      if (!port) {
        if (control.type !== 'inject') pending = control;
      }
      else {
        try {
          port.postMessage(control);
        } catch {
          // A closed port: the hook is gone with its document.
        }
      }
    },
    close() {
      closed = true;
      win.removeEventListener('message', onWindowMessage, CAPTURE);
      if (syncEvent !== undefined) win.removeEventListener(syncEvent, onSyncEvent, CAPTURE);
      port?.close();
    },
  };
}
