// The inspected page as an interface: its current Parse user (what the Parse JS SDK keeps in localStorage), read
// through DevTools' inspectedWindow for the keyring.

export interface PageUser {
  sessionToken: string;
  username?: string;
  objectId?: string;
}

export interface InspectedPage {
  currentUser(applicationId: string): Promise<PageUser>;
}

export const devtoolsInspectedPage: InspectedPage = { currentUser: readPageUser };

interface InspectedWindow {
  eval(expression: string, callback: (result: unknown, exception?: { value?: string; description?: string }) => void): void;
}

function inspectedWindow(): InspectedWindow | undefined {
  return (globalThis as { chrome?: { devtools?: { inspectedWindow?: InspectedWindow } } }).chrome?.devtools?.inspectedWindow;
}

/** The page's `Parse/<appId>/currentUser`; the page's answer is only ever parsed as data. */
function readPageUser(applicationId: string): Promise<PageUser> {
  const target = inspectedWindow();
  if (!target) return Promise.reject(new Error('Only available in the DevTools panel (no inspected window here)'));
  const expression = `localStorage.getItem(${JSON.stringify(`Parse/${applicationId}/currentUser`)})`;
  return new Promise((resolve, reject) => {
    target.eval(expression, (result, exception) => {
      if (exception) return reject(new Error(`Cannot read the page's storage: ${exception.description ?? exception.value ?? 'error'}`));
      if (typeof result !== 'string') return reject(new Error(`The page has no current Parse user for app "${applicationId}"`));
      let user: unknown;
      try {
        user = JSON.parse(result);
      } catch {
        return reject(new Error("The page's stored Parse user is not JSON"));
      }
      const u = user as Record<string, unknown>;
      if (typeof u !== 'object' || u === null || typeof u.sessionToken !== 'string') {
        return reject(new Error("The page's current Parse user has no session token (logged out?)"));
      }
      resolve({
        sessionToken: u.sessionToken,
        username: typeof u.username === 'string' ? u.username : undefined,
        objectId: typeof u.objectId === 'string' ? u.objectId : undefined,
      });
    });
  });
}
