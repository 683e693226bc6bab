// What GET <mount>/health answers on a node of a fleet: who the node is, its Redis and Parse Server connections, the
// channel messages it got and refused. `status` is 'ok' only when all of them work; a load balancer reads the 503.

import type { ServerResponse } from 'node:http';
import type { FleetLinkHealth } from './fleet-link.js';
import type { RestAuthHealth } from './rest-auth.js';

export type NodeMode = 'embedded-fleet' | 'fleet-node';

export interface ParseServerHealth extends RestAuthHealth {
  restURL: string;
  version?: string;
}

export interface NodeHealth extends FleetLinkHealth {
  status: 'ok' | 'degraded';
  node: {
    /** Random per process start: tells the nodes behind one load-balanced URL apart. */
    id: string;
    /** fleet-node: LiveQuery only, tokens through `parseServer`; embedded-fleet: the whole embedded stack on Redis. */
    mode: NodeMode;
    applicationId: string;
    startedAt: string;
    /** Connected LiveQuery clients. */
    clients: number;
  };
  parseServer?: ParseServerHealth;
  /** Plain-language reasons for 'degraded'. */
  problems: string[];
}

export function nodeHealth(input: Omit<NodeHealth, 'status' | 'problems'>): NodeHealth {
  const problems: string[] = [];
  const { subscriber, publisher } = input.redis;
  if (subscriber.state !== 'ready') problems.push(`redis subscriber ${subscriber.state}${subscriber.lastError ? `: ${subscriber.lastError}` : ''}`);
  if (publisher && publisher.state !== 'ready') problems.push(`redis publisher ${publisher.state}${publisher.lastError ? `: ${publisher.lastError}` : ''}`);
  if (input.parseServer?.state === 'unreachable') problems.push(`parse-server REST: ${input.parseServer.lastError ?? 'unreachable'}`);
  return { status: problems.length ? 'degraded' : 'ok', problems, ...input };
}

export function sendHealth(res: ServerResponse, health: NodeHealth): void {
  const text = JSON.stringify(health);
  res.writeHead(health.status === 'ok' ? 200 : 503, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
