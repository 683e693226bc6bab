// The keyring on the panel ports: every panel (in every tab) gets the whole keyring when it says hello and after each
// change, and its keyring commands run on the one owner. The panel router leaves these messages to this module.

import type { Runtime } from 'webextension-polyfill';
import type { KeyringView } from '../../src/keyring.js';
import { isKeyringCommand, isPanelToBackground, type BackgroundToPanel } from '../../src/messages.js';
import type { KeyringOwner } from './keyring-owner.js';

type PanelPort = Pick<Runtime.Port, 'postMessage' | 'onMessage' | 'onDisconnect'>;

export class KeyringPorts {
  /** Ports that said hello: they get every change. */
  private readonly ports = new Set<PanelPort>();

  constructor(private readonly owner: KeyringOwner) {
    owner.subscribe((view) => {
      for (const port of this.ports) this.post(port, keyringMessage(view));
    });
  }

  attach(port: PanelPort): void {
    port.onMessage.addListener((message: unknown) => {
      // Invalid messages are reported by the router, which sees the same ones.
      if (!isPanelToBackground(message)) return;
      if (message.type === 'hello') {
        this.ports.add(port);
        void this.owner.current().then((view) => this.post(port, keyringMessage(view)));
        return;
      }
      if (!isKeyringCommand(message) || !this.ports.has(port)) return;
      const { commandId } = message;
      // The owner has sent every panel the new keyring before this answer, so the caller sees it when its command resolves.
      void this.owner.run(message).then(
        () => this.post(port, { type: 'commandResult', commandId, ok: true }),
        (error: unknown) =>
          this.post(port, { type: 'commandResult', commandId, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
    port.onDisconnect.addListener(() => this.ports.delete(port));
  }

  private post(port: PanelPort, message: BackgroundToPanel): void {
    try {
      port.postMessage(message);
    } catch {
      // The panel went away; its onDisconnect forgets the port.
    }
  }
}

const keyringMessage = (keyring: KeyringView): BackgroundToPanel => ({ type: 'keyring', keyring });
