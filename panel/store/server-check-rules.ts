// How Parse Server 9 answers tell which of a server entry's application id and keys is wrong (see server-check.ts).

import type { ServerSpec } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import type { ProbeAnswer, ServerProbe } from '../adapters/server-probe.js';
import type { ServerCheck } from './server-check.js';

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
