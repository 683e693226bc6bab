// The servers the user configured, once for every tab: the service worker owns them (like the keyring), each tab's
// workspace keeps its own connection and subscriptions to them, and every panel sees a change at once.

import type { KeyValueArea } from '../persistence.js';
import { isFleetChoice, isServerSpec, isSocketCount } from '../../src/messages.js';
import { MAX_SOCKETS_PER_SERVER, type FleetChoice, type FormerServer, type ServerSpec } from '../../src/views.js';

export interface RegisteredServer {
  id: string;
  spec: ServerSpec;
  /** Whether the user wants it connected (in every tab whose panel is open). */
  enabled: boolean;
  /** Fleet membership chosen by hand (absent: by app id and REST URL). */
  fleet?: FleetChoice;
  /** Connections it opens to its URL (absent: 1). */
  sockets?: number;
}

/** Removed servers whose name and URL are kept for the records they left behind. */
export const MAX_FORMER_SERVERS = 200;
const STORAGE_KEY = 'servers';

interface Saved {
  servers: RegisteredServer[];
  former: FormerServer[];
}

const isRegistered = (value: unknown): value is RegisteredServer =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RegisteredServer).id === 'string' &&
  typeof (value as RegisteredServer).enabled === 'boolean' &&
  isServerSpec((value as RegisteredServer).spec) &&
  ((value as RegisteredServer).fleet === undefined || isFleetChoice((value as RegisteredServer).fleet)) &&
  ((value as RegisteredServer).sockets === undefined || isSocketCount((value as RegisteredServer).sockets));

const isFormer = (value: unknown): value is FormerServer =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as FormerServer).id === 'string' &&
  typeof (value as FormerServer).serverURL === 'string' &&
  ((value as FormerServer).label === undefined || typeof (value as FormerServer).label === 'string');

/** What a removed server leaves for its records: no key, no token. */
function formerOf(server: RegisteredServer): FormerServer {
  const former: FormerServer = { id: server.id, serverURL: server.spec.serverURL };
  if (server.spec.label) former.label = server.spec.label;
  return former;
}

export class ServerRegistry {
  private readonly servers = new Map<string, RegisteredServer>();
  private former: FormerServer[] = [];
  private readonly listeners = new Set<() => void>();

  /** `area`: storage.session (server specs hold keys: never storage.local). */
  constructor(private readonly area?: KeyValueArea) {}

  /** Reads what an earlier worker saved; anything malformed is left out. */
  async load(): Promise<void> {
    if (!this.area) return;
    const saved = (await this.area.get(null))[STORAGE_KEY] as Partial<Saved> | undefined;
    for (const server of Array.isArray(saved?.servers) ? saved.servers : []) {
      if (!isRegistered(server)) continue;
      const { id, spec, enabled, fleet, sockets } = server;
      this.servers.set(id, { id, spec, enabled, ...(fleet && fleet.type !== 'auto' ? { fleet } : {}), ...(sockets && sockets > 1 ? { sockets } : {}) });
    }
    this.former = (Array.isArray(saved?.former) ? saved.former : []).filter(isFormer).slice(-MAX_FORMER_SERVERS);
  }

  list(): RegisteredServer[] {
    return [...this.servers.values()];
  }

  get(id: string): RegisteredServer | undefined {
    return this.servers.get(id);
  }

  /** Removed servers, oldest first. */
  formerServers(): FormerServer[] {
    return this.former;
  }

  /** Calls back after every change. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a server (`id` given: one an earlier version kept per tab, taken over as it was). */
  add(spec: ServerSpec, id: string = crypto.randomUUID().slice(0, 8), enabled = true): RegisteredServer {
    const server = { id, spec, enabled };
    this.servers.set(id, server);
    this.former = this.former.filter((f) => f.id !== id);
    this.changed();
    return server;
  }

  edit(id: string, spec: ServerSpec): void {
    this.require(id).spec = spec;
    this.changed();
  }

  setEnabled(id: string, enabled: boolean): void {
    this.require(id).enabled = enabled;
    this.changed();
  }

  /** Groups it with others by hand, keeps it alone, or (`auto`) lets its app id and REST URL decide. */
  setFleet(id: string, fleet: FleetChoice): void {
    const server = this.require(id);
    if (fleet.type === 'auto') delete server.fleet;
    else server.fleet = fleet;
    this.changed();
  }

  /** How many connections it opens to its URL, 1 to MAX_SOCKETS_PER_SERVER. */
  setSockets(id: string, sockets: number): void {
    if (!isSocketCount(sockets)) throw new Error(`A server entry opens 1 to ${MAX_SOCKETS_PER_SERVER} connections, not ${String(sockets)}`);
    const server = this.require(id);
    if (sockets === 1) delete server.sockets;
    else server.sockets = sockets;
    this.changed();
  }

  remove(id: string): void {
    const server = this.require(id);
    this.servers.delete(id);
    this.former = [...this.former.filter((f) => f.id !== id), formerOf(server)].slice(-MAX_FORMER_SERVERS);
    this.changed();
  }

  private require(id: string): RegisteredServer {
    const server = this.servers.get(id);
    if (!server) throw new Error(`No server ${id} (it may have been removed)`);
    return server;
  }

  private changed(): void {
    if (this.area) {
      const saved: Saved = { servers: this.list(), former: this.former };
      this.area.set({ [STORAGE_KEY]: saved }).catch((error: unknown) => console.error('LiveQuery DevTools: cannot save the servers', error));
    }
    for (const listener of this.listeners) listener();
  }
}
