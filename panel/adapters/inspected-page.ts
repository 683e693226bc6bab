// The inspected page as an interface: its current Parse user (what the Parse JS SDK keeps in localStorage), read for
// the keyring through DevTools' inspectedWindow in our content script's isolated world, never in the page's own
// JavaScript: a page that replaces Storage.prototype.getItem or window.localStorage can neither see the read nor
// answer it.

export interface PageUser {
  sessionToken: string;
  username?: string;
  objectId?: string;
}

export interface InspectedPage {
  currentUser(applicationId: string): Promise<PageUser>;
}

/** What DevTools reports when it did not evaluate the expression (isError) or the expression threw (isException). */
export interface EvalException {
  isError?: boolean;
  code?: string;
  description?: string;
  details?: unknown[];
  isException?: boolean;
  value?: string;
}

export interface InspectedWindow {
  eval(
    expression: string,
    options: { useContentScriptContext: true },
    callback: (result: unknown, exception?: EvalException) => void,
  ): void;
}

function devtoolsInspectedWindow(): InspectedWindow | undefined {
  return (globalThis as { chrome?: { devtools?: { inspectedWindow?: InspectedWindow } } }).chrome?.devtools?.inspectedWindow;
}

/** `target`: DevTools' inspectedWindow unless given (tests). */
export function devtoolsInspectedPage(target: () => InspectedWindow | undefined = devtoolsInspectedWindow): InspectedPage {
  return { currentUser: (applicationId) => readPageUser(target(), applicationId) };
}

/** DevTools' description with its %s placeholders filled from `details`. */
function describe(exception: EvalException): string {
  const details = [...(exception.details ?? [])];
  return (exception.description ?? exception.value ?? exception.code ?? 'error').replace(/%s/g, () => String(details.shift() ?? ''));
}

/** The page's `Parse/<appId>/currentUser`; what the page stored is only ever parsed as data. */
function readPageUser(target: InspectedWindow | undefined, applicationId: string): Promise<PageUser> {
  if (!target) return Promise.reject(new Error('Only available in the DevTools panel (no inspected window here)'));
  const expression = `localStorage.getItem(${JSON.stringify(`Parse/${applicationId}/currentUser`)})`;
  return new Promise((resolve, reject) => {
    const answer = (result: unknown, exception?: EvalException) => {
      if (exception?.isError && exception.code === 'E_NOTFOUND') {
        return reject(new Error("The extension's content script is not in this page yet: reload the page, then try again"));
      }
      if (exception) return reject(new Error(`Cannot read the page's storage: ${describe(exception)}`));
      if (typeof result !== 'string') return reject(new Error(`The page has no current Parse user for app "${applicationId}"`));
      try {
        resolve(parsePageUser(result));
      } catch (error) {
        reject(error as Error);
      }
    };
    try {
      target.eval(expression, { useContentScriptContext: true }, answer);
    } catch (error) {
      // Firefox rejects the option ("unsupported") rather than evaluate in the page: never retry without it.
      reject(
        new Error(
          `This browser cannot read the page's storage out of the page's reach (${(error as Error).message}); paste the token instead`,
        ),
      );
    }
  });
}

export function parsePageUser(text: string): PageUser {
  let user: unknown;
  try {
    user = JSON.parse(text);
  } catch {
    throw new Error("The page's stored Parse user is not JSON");
  }
  const u = user as Record<string, unknown>;
  if (typeof u !== 'object' || u === null || typeof u.sessionToken !== 'string' || !u.sessionToken) {
    throw new Error("The page's current Parse user has no session token (logged out?)");
  }
  return {
    sessionToken: u.sessionToken,
    username: typeof u.username === 'string' ? u.username : undefined,
    objectId: typeof u.objectId === 'string' ? u.objectId : undefined,
  };
}
