// `npm run server -- [--port N] [--host H] [--no-keys] [--app-id A] [--js-key K] [--master-key M] [--websocket-timeout MS] [--all-classes]
//  [--replay recording.json [--replay-speed X]]`
// Starts the embedded LiveQuery server, prints its URLs and keys, and stops cleanly on SIGINT/SIGTERM.

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
    replay: { type: 'string' },
    'replay-speed': { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'Usage: npm run server -- [--port 1337] [--host 127.0.0.1] [--no-keys] [--app-id lq-app] [--js-key lq-js]\n' +
      '                         [--master-key lq-master] [--websocket-timeout 10000] [--all-classes]\n' +
      '                         [--replay recording.json [--replay-speed 1|2|10|0]]\n' +
      `Live classes by default: ${DEFAULT_LIVE_CLASSES.join(', ')}; --all-classes publishes events for every class
and lets clients create classes.`,
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
  replay,
});

console.log(`Embedded LiveQuery server
  REST:          ${server.restURL}
  LiveQuery:     ${server.liveQueryURL}
  applicationId: ${server.applicationId}
  javascriptKey: ${values['no-keys'] ? '(not required)' : server.javascriptKey}
  masterKey:     ${values['no-keys'] ? '(not checked)' : server.masterKey}
  live classes:  ${values['all-classes'] ? 'all' : DEFAULT_LIVE_CLASSES.join(', ')}${replay && values.replay ? `\n${describeReplay(values.replay, replay)}` : ''}
Press Ctrl+C to stop.`);

let stopping = false;
shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  void server.stop().then(() => process.exit(0));
};
if (stopRequested) shutdown(stopRequested);
