import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { LiveQueryClient } from '../src/livequery/index.js';
import { exportRecording } from '../src/timeline/export.js';
import type { TimelineRecord } from '../src/timeline/record.js';
import { startEmbeddedServer, type EmbeddedServer } from './index.js';
import { loadReplay } from './replay.js';

const T = 1_800_000_000_000;

/** A recording of two page subscriptions (lobby and other room) with their events, as the panel exports it. */
function recordingText(): string {
  let seq = 0;
  const records: TimelineRecord[] = [];
  const add = (key: string, kind: TimelineRecord['kind'], raw: unknown, extra: Partial<TimelineRecord> = {}) =>
    records.push({ seq: ++seq, epoch: 'e', time: T + seq * 10, source: { type: 'pageSocket', socketId: 's', frameId: 0 }, kind, label: kind, summary: '', subscriptionKey: key, raw: JSON.stringify(raw), ...extra });
  const msg = (objectId: string, room: string, text: string) => ({ className: 'Message', objectId, room, text, updatedAt: `2026-12-02T10:00:00.000Z ${text}` });
  add('pageSocket:s/1', 'sent', { op: 'subscribe', requestId: 1, query: { className: 'Message', where: { room: 'lobby' } } });
  add('pageSocket:s/2', 'sent', { op: 'subscribe', requestId: 2, query: { className: 'Message', where: {} } });
  add('pageSocket:s/1', 'create', { op: 'create', clientId: 'c', requestId: 1, object: msg('m1', 'lobby', 'hi') });
  // The same event seen by the second subscription: played once.
  add('pageSocket:s/2', 'create', { op: 'create', clientId: 'c', requestId: 2, object: msg('m1', 'lobby', 'hi') }, { time: T + 30 });
  add('pageSocket:s/2', 'create', { op: 'create', clientId: 'c', requestId: 2, object: msg('m2', 'other', 'elsewhere') });
  add('pageSocket:s/1', 'update', { op: 'update', clientId: 'c', requestId: 1, object: msg('m1', 'lobby', 'edited'), original: msg('m1', 'lobby', 'hi') });
  add('pageSocket:s/1', 'leave', { op: 'leave', clientId: 'c', requestId: 1, object: msg('m1', 'other', 'moved'), original: msg('m1', 'lobby', 'edited') });
  add('pageSocket:s/1', 'create', { op: 'create', clientId: 'c', requestId: 1, object: msg('m3', 'lobby', 'injected') }, { injected: true });
  return exportRecording(records, { exportedAt: T, appVersion: 'test', redact: false });
}

describe('npm run server -- --replay', () => {
  let dir: string;
  let file: string;
  let server: EmbeddedServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lq-replay-'));
    file = join(dir, 'recording.json');
    writeFileSync(file, recordingText());
    const loaded = await loadReplay(file);
    assert.ok(loaded.ok);
    server = await startEmbeddedServer({ port: 0, replay: { plan: loaded.plan, speed: 0 } });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-emits to any client the recorded events that match its query, with their original, in order', async () => {
    const client = new LiveQueryClient({ applicationId: server.applicationId, serverURL: server.liveQueryURL, javascriptKey: server.javascriptKey, WebSocket });
    const lobby: string[] = [];
    const everything: string[] = [];
    const done = new Promise<void>((resolve) => {
      const sub = client.subscribe({ className: 'Message', where: { room: 'lobby' } });
      sub.on('create', (object) => lobby.push(`create ${object.objectId} ${object.text}`));
      sub.on('update', (object, original) => lobby.push(`update ${object.objectId} ${original?.text} → ${object.text}`));
      sub.on('leave', (object) => {
        lobby.push(`leave ${object.objectId} ${object.room}`);
        resolve();
      });
    });
    const all = client.subscribe({ className: 'Message', where: {} });
    const allDone = new Promise<void>((resolve) => all.on('leave', () => resolve()));
    all.on('create', (object) => void everything.push(`create ${object.objectId}`));
    all.on('update', (object) => void everything.push(`update ${object.objectId}`));
    all.on('leave', (object) => void everything.push(`leave ${object.objectId}`));
    client.open();
    await Promise.all([done, allDone]);
    await client.close();
    assert.deepEqual(lobby, ['create m1 hi', 'update m1 hi → edited', 'leave m1 other']);
    assert.deepEqual(everything, ['create m1', 'create m2', 'update m1', 'leave m1'], 'each event once; the injected one never');
  });

  it('the CLI refuses a file that is not a recording, saying why', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something else"}');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--replay', bad], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--replay: .*bad\.json: not a LiveQuery DevTools recording/);
  });
});
