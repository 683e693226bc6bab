// The check of a server entry's application id and keys over REST, run when it is added (before any subscription)
// and on demand: which of them is wrong, judged from how Parse Server 9 answers (verified by
// test/server-check-against-parse.test.ts against the real Parse Server and the embedded one).
//
// Parse answers a wrong application id and a JavaScript key that does not match the same way: 403
// {"error":"unauthorized"}. Only a master key tells them apart (it skips the client key check), so with one the
// check says which; without one it says both are possible. A master key is verified on /serverInfo.

import { computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { ServerSpec, ServerView } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import type { ProbeAnswer, ServerProbe } from '../adapters/server-probe.js';

export type ServerProblem =
  | 'unreachable'
  | 'notParse'
  | 'wrongApplicationId'
  | 'wrongJavaScriptKey'
  /** 403 unauthorized with no master key to tell which. */
  | 'applicationIdOrJavaScriptKey'
  | 'wrongMasterKey';

export interface ServerCheck {
  /** Undefined when everything checked was accepted. */
  problem?: ServerProblem;
  /** One sentence: what is wrong (and the likely cause), or what was verified. */
  summary: string;
  restURL: string;
  checkedAt: number;
  /** The Parse Server version /serverInfo reported (with a working master key). */
  version?: string;
}

const isUnauthorized = (answer: ProbeAnswer) => answer.kind === 'json' && answer.status === 403 && answer.body.error === 'unauthorized';
const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

type Verdict = Omit<ServerCheck, 'restURL' | 'checkedAt'>;

function notParse(restURL: string, path: string, answer: Exclude<ProbeAnswer, { kind: 'unreachable' }>): Verdict {
  const what = answer.kind === 'notJson' ? 'without JSON' : `JSON that Parse Server does not send (${JSON.stringify(answer.body).slice(0, 120)})`;
  return {
    problem: 'notParse',
    summary: `${restURL}${path} answered ${answer.status} ${what}: this is not a Parse REST URL (Parse Server's usually ends in /parse; set the REST URL).`,
  };
}

/** Checks `spec`'s application id, JavaScript key and master key against its REST URL. */
export async function checkServer(spec: ServerSpec, probe: ServerProbe): Promise<Verdict & { restURL: string }> {
  const restURL = restURLOf(spec);
  const keys = { applicationId: spec.applicationId, javascriptKey: spec.javascriptKey };
  // /config answers any client whose application id and keys pass, with {params}: it tells Parse from anything else.
  const config = await probe.get(restURL, '/config', keys);
  if (config.kind === 'unreachable') return { restURL, problem: 'unreachable', summary: `Cannot reach ${restURL}: ${config.reason}` };
  if (isUnauthorized(config)) return { restURL, ...(await whichIsWrong(spec, restURL, probe)) };
  if (config.kind !== 'json' || config.status !== 200 || !isObject(config.body.params)) return { restURL, ...notParse(restURL, '/config', config) };

  const accepted = spec.javascriptKey ? 'The application id and the JavaScript key were accepted' : 'The application id was accepted (no JavaScript key needed)';
  if (!spec.masterKey) return { restURL, summary: `${accepted}.` };
  const info = await probe.get(restURL, '/serverInfo', { ...keys, masterKey: spec.masterKey });
  if (info.kind === 'unreachable') return { restURL, problem: 'unreachable', summary: `Cannot reach ${restURL}/serverInfo: ${info.reason}` };
  if (info.kind === 'json' && info.status === 200 && typeof info.body.parseServerVersion === 'string') {
    return { restURL, version: info.body.parseServerVersion, summary: `${accepted}; the master key too (Parse Server ${info.body.parseServerVersion}).` };
  }
  if (info.kind === 'json' && info.status === 403) {
    return {
      restURL,
      problem: 'wrongMasterKey',
      summary: `${accepted}, but the master key was refused (/serverInfo answered 403 "${String(info.body.error ?? '')}"): it is wrong, or the server does not allow it from this address (Parse Server's masterKeyIps allows only localhost by default).`,
    };
  }
  return { restURL, ...notParse(restURL, '/serverInfo', info) };
}

/** After a 403 unauthorized: the master key, when there is one, skips the client key check and so tells which. */
async function whichIsWrong(spec: ServerSpec, restURL: string, probe: ServerProbe): Promise<Verdict> {
  if (!spec.masterKey) {
    return {
      problem: 'applicationIdOrJavaScriptKey',
      summary: spec.javascriptKey
        ? 'Parse answered 403 unauthorized: the application id or the JavaScript key is wrong (Parse answers both alike; add the master key and re-check to tell which).'
        : 'Parse answered 403 unauthorized: the application id is wrong, or this server needs a JavaScript key (add it, or the master key to tell which).',
    };
  }
  const info = await probe.get(restURL, '/serverInfo', { applicationId: spec.applicationId, masterKey: spec.masterKey });
  if (info.kind === 'json' && info.status === 200 && typeof info.body.parseServerVersion === 'string') {
    return {
      problem: 'wrongJavaScriptKey',
      version: info.body.parseServerVersion,
      summary: spec.javascriptKey
        ? 'The JavaScript key is wrong: Parse answered 403 unauthorized with it, while the application id and the master key were accepted.'
        : 'This server needs a JavaScript key: Parse answered 403 unauthorized without one, while the application id and the master key were accepted.',
    };
  }
  return {
    problem: 'wrongApplicationId',
    summary: 'The application id is most likely wrong: Parse answered 403 unauthorized with the JavaScript key and with the master key alike (unless both keys are wrong, or the master key is not allowed from this address).',
  };
}

export interface ServerCheckStatus {
  check?: ServerCheck;
  checking: boolean;
}

/** What a check depends on: the REST URL, the application id and the keys (kept in memory only). */
export const serverCheckKey = (spec: ServerSpec): string =>
  JSON.stringify([restURLOf(spec), spec.applicationId, spec.javascriptKey ?? '', spec.masterKey ?? '']);

export interface ServerChecksDeps {
  probe: ServerProbe;
  now(): number;
  servers: ReadonlySignal<ServerView[]>;
}

/** Every server is checked once when the panel first sees it (added here or elsewhere, or edited) and on demand. */
export function createServerChecksStore({ probe, now, servers }: ServerChecksDeps) {
  const statuses = signal<ReadonlyMap<string, ServerCheckStatus>>(new Map());
  const inFlight = new Map<string, Promise<ServerCheck>>();
  const set = (key: string, status: ServerCheckStatus) => {
    const next = new Map(statuses.peek());
    next.set(key, status);
    statuses.value = next;
  };

  function check(spec: ServerSpec): Promise<ServerCheck> {
    const key = serverCheckKey(spec);
    const running = inFlight.get(key);
    if (running) return running;
    set(key, { check: statuses.peek().get(key)?.check, checking: true });
    const done = checkServer(spec, probe)
      .catch((error: unknown) => ({ restURL: restURLOf(spec), problem: 'unreachable' as const, summary: `The check failed: ${(error as Error).message}` }))
      .then((verdict) => {
        const result: ServerCheck = { ...verdict, checkedAt: now() };
        inFlight.delete(key);
        set(key, { check: result, checking: false });
        return result;
      });
    inFlight.set(key, done);
    return done;
  }

  const specs = computed(() => servers.value.map((s) => s.spec));
  const dispose = effect(() => {
    const known = statuses.peek();
    for (const spec of specs.value) if (!known.has(serverCheckKey(spec)) && !inFlight.has(serverCheckKey(spec))) void check(spec);
  });

  return {
    statuses,
    check,
    statusOf(spec: ServerSpec): ServerCheckStatus | undefined {
      return statuses.value.get(serverCheckKey(spec));
    },
    dispose,
  };
}

export type ServerChecksStore = ReturnType<typeof createServerChecksStore>;
