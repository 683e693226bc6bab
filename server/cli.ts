// `npm run server -- [--port N] [--host H] [--no-keys] [--app-id A] [--js-key K] [--master-key M] [--websocket-timeout MS] [--all-classes]
//                    [--redis redis://host:port [--parse-server <REST URL>]] [--cache-timeout MS]
//                    [--replay recording.json [--replay-speed X]]`
// Starts the embedded LiveQuery server (or, with --redis and --parse-server, a LiveQuery-only fleet node), prints its
// URLs and keys, and stops cleanly on SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { DEFAULT_LIVE_CLASSES, startEmbeddedServer } from './index.js';
import { describeReplay, replayOption } from './replay-cli.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1337' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-keys': { type: 'boolean', default: false },
    'app-id': { type: 'string' },
    'js-key': { type: 'string' },
    'master-key': { type: 'string' },
    'websocket-timeout': { type: 'string' },
    'all-classes': { type: 'boolean', default: false },
    redis: { type: 'string' },
    'parse-server': { type: 'string' },
    'cache-timeout': { type: 'string' },
    replay: { type: 'string' },
    'replay-speed': { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'Usage: npm run server -- [--port 1337] [--host 127.0.0.1] [--no-keys] [--app-id lq-app] [--js-key lq-js]\n' +
      '                         [--master-key lq-master] [--websocket-timeout 10000] [--all-classes]\n' +
      '                         [--redis redis://127.0.0.1:6379 [--parse-server http://host:1337/parse]] [--cache-timeout 5000]\n' +
      '                         [--replay recording.json [--replay-speed 1|2|10|0]]\n' +
      `Live classes by default: ${DEFAULT_LIVE_CLASSES.join(', ')}; --all-classes publishes events for every class
and lets clients create classes.
--redis joins a Redis LiveQuery fleet (Parse Server's liveQuery.redisURL): events come from <app-id>afterSave,
afterDelete and clearCache, and the embedded stack publishes its own writes there. With --parse-server too, the
node is LiveQuery only: tokens and roles come from that Parse Server's REST API (--master-key is its master key).
GET <mount>/health answers the node's id, Redis and Parse Server state.`,
  );
  process.exit(0);
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const replay = await replayOption(values.replay, values['replay-speed']);

// Handlers go in first, so a signal that arrives during start-up still stops the server once it is up.
let stopRequested: string | undefined;
let shutdown = (signal: string): void => {
  stopRequested ??= signal;
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

if (values['parse-server'] && !values.redis) {
  console.error('--parse-server needs --redis: a LiveQuery-only node gets its events from Redis');
  process.exit(2);
}

const server = await startEmbeddedServer({
  port: intOption('port', values.port),
  host: values.host,
  requireKeys: !values['no-keys'],
  applicationId: values['app-id'],
  javascriptKey: values['js-key'],
  masterKey: values['master-key'],
  websocketTimeout: intOption('websocket-timeout', values['websocket-timeout']),
  classNames: values['all-classes'] ? ['.*'] : undefined,
  allowClientClassCreation: values['all-classes'],
  redisURL: values.redis,
  parseServerURL: values['parse-server'],
  cacheTimeout: intOption('cache-timeout', values['cache-timeout']),
  replay,
});

const fleetLines = values.redis
  ? `
  fleet node:    ${server.nodeId} on ${server.health()?.redis.url ?? values.redis}${values['parse-server'] ? ' (LiveQuery only)' : ''}
  health:        ${server.liveQueryURL.replace(/^ws/, 'http')}/health`
  : '';
console.log(`${values['parse-server'] ? 'LiveQuery fleet node' : 'Embedded LiveQuery server'}
  REST:          ${server.restURL}
  LiveQuery:     ${server.liveQueryURL}
  applicationId: ${server.applicationId}
  javascriptKey: ${values['no-keys'] ? '(not required)' : server.javascriptKey}
  masterKey:     ${values['no-keys'] ? '(not checked)' : server.masterKey}
  live classes:  ${values['parse-server'] ? '(as the Parse Server publishes)' : values['all-classes'] ? 'all' : DEFAULT_LIVE_CLASSES.join(', ')}${fleetLines}${replay && values.replay ? `\n${describeReplay(values.replay, replay)}` : ''}
Press Ctrl+C to stop.`);

let stopping = false;
shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  void server.stop().then(() => process.exit(0));
};
if (stopRequested) shutdown(stopRequested);
