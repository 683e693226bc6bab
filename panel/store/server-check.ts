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
import type { ServerProbe } from '../adapters/server-probe.js';
import { lazyModule } from '../lazy-module.js';

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
  /** Where the check's rules come from (tests give a failing one); by default their own chunk. */
  importRules?: () => Promise<ServerCheckRules>;
}

type ServerCheckRules = typeof import('./server-check-rules.js');

/** Every server is checked once when the panel first sees it (added here or elsewhere, or edited) and on demand. */
export function createServerChecksStore({ probe, now, servers, importRules = () => import('./server-check-rules.js') }: ServerChecksDeps) {
  // The rules that read Parse's answers are a chunk of their own: the first paint does not wait for them (the
  // answers come over the network anyway).
  const rules = lazyModule('the server check', importRules);
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
    const done = rules
      .load()
      .then(({ checkServer }) => checkServer(spec, probe))
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
