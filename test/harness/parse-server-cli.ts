// CLI: starts a throwaway Postgres + Parse Server 9.10.0 with LiveQuery on 127.0.0.1, prints its URLs, stops on SIGINT/SIGTERM.
//   npx tsx test/harness/parse-server-cli.ts [--port N] [--json] [--logs] [--redis redis://host:port]
// --redis: LiveQuery scales out through that Redis (`liveQuery.redisURL`), as one node of a fleet.
// --json prints one JSON line ({restURL, liveQueryURL, applicationId, javascriptKey, masterKey, ...}) for scripts to read.
import { parseArgs } from 'node:util';
import { startParseServer } from './parse-server.js';
import { LIVE_CLASSES } from './target.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    logs: { type: 'boolean', default: false },
    redis: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('Usage: npx tsx test/harness/parse-server-cli.ts [--port N] [--json] [--logs] [--redis redis://host:port]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer 0..65535, got ${values.port}`);
  process.exit(2);
}

// Handlers go in before the (2 s) start, so a signal that arrives meanwhile stops the server as soon as it is up.
let requested: string | null = null;
let target: Awaited<ReturnType<typeof startParseServer>> | null = null;
let stopping = false;
const stop = (signal: string): void => {
  requested ??= signal;
  if (!target || stopping) return;
  stopping = true;
  target.stop().then(
    () => {
      if (!values.json) console.log(`\nstopped (${signal})`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error('stop failed:', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

target = await startParseServer({ port, logs: values.logs, redisURL: values.redis });
const info = {
  restURL: target.restURL,
  liveQueryURL: target.liveQueryURL,
  applicationId: target.applicationId,
  javascriptKey: target.javascriptKey,
  masterKey: target.masterKey,
  liveClasses: [...LIVE_CLASSES],
  databaseURI: target.databaseURI,
  startupMs: Math.round(target.timings.totalMs),
  ...(values.redis ? { redisURL: values.redis } : {}),
};
if (values.json) {
  console.log(JSON.stringify(info));
} else {
  console.log(`Parse Server 9.10.0 with LiveQuery, ready in ${(info.startupMs / 1000).toFixed(1)} s`);
  console.log(`  REST       ${info.restURL}`);
  console.log(`  LiveQuery  ${info.liveQueryURL}`);
  console.log(`  appId ${info.applicationId}   javascriptKey ${info.javascriptKey}   masterKey ${info.masterKey}`);
  console.log(`  classes    ${info.liveClasses.join(', ')}`);
  console.log(`  database   ${info.databaseURI} (thrown away on exit)`);
  console.log('Ctrl-C to stop.');
}
if (requested) stop(requested);
