// Privileged scripts the harness runs in Firefox's browser window (Marionette's chrome context, allowed by
// --remote-allow-system-access; see marionette.ts): Firefox's own DevTools, the extension's background, the browser
// console. Each is an expression whose value is plain JSON.

const json = (value: unknown): string => JSON.stringify(value);

/**
 * The remote agent's registry that maps BiDi context ids to browsers and browsing contexts: NavigableManager in newer
 * Firefox, TabManager in firefox-esr 140. One instance per browser, shared by BiDi and these scripts.
 */
const NAVIGABLES = `(() => {
  for (const name of ['NavigableManager', 'TabManager']) {
    try {
      return ChromeUtils.importESModule('chrome://remote/content/shared/' + name + '.sys.mjs')[name];
    } catch {}
  }
  throw new Error('Firefox has neither NavigableManager nor TabManager in chrome://remote/content/shared/');
})()`;

/** The browser tab (gBrowser) of a BiDi content context id. */
const TAB_OF = `(contextId) => {
  const navigables = ${NAVIGABLES};
  const tab = gBrowser.tabs.find((t) => navigables.getIdForBrowser(t.linkedBrowser) === contextId);
  if (!tab) throw new Error('no browser tab for context ' + contextId);
  return tab;
}`;

const DEVTOOLS = `ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs').require('devtools/client/framework/devtools').gDevTools`;

/** Prefix of the context ids the harness gives DevTools extension panels (see panelContextIdsScript). */
export const PANEL_CONTEXT_PREFIX = 'lqd-devtools-panel-';

/**
 * BiDi addresses tabs and their frames only; an extension panel in the toolbox is a top-level browsing context of
 * its own (a remote <browser> in chrome://browser/content/webext-panels.xhtml). This teaches the BiDi server one
 * more id form, `lqd-devtools-panel-<browsing context id>`, for such panels only; every BiDi command (script.evaluate,
 * captureScreenshot) then works on the panel as on a tab. Idempotent.
 */
export function panelContextIdsScript(): string {
  return `(() => {
    const navigables = ${NAVIGABLES};
    if (navigables.__lqdPanels) return true;
    const original = navigables.getBrowsingContextById.bind(navigables);
    const prefix = ${json(PANEL_CONTEXT_PREFIX)};
    navigables.getBrowsingContextById = (id) => {
      if (typeof id !== 'string' || !id.startsWith(prefix)) return original(id);
      const context = BrowsingContext.get(Number(id.slice(prefix.length)));
      const host = context?.embedderElement?.ownerDocument?.documentURI;
      return context && !context.isDiscarded && host === 'chrome://browser/content/webext-panels.xhtml' ? context : null;
    };
    navigables.__lqdPanels = true;
    return true;
  })()`;
}

/** The message manager group of extension pages' <browser>s (background, DevTools panels, popups). */
const EXTENSION_BROWSERS = 'webext-browsers';

/**
 * Lets BiDi's per-document actor into extension pages. script.evaluate and captureScreenshot reach a document through
 * the `MessageHandlerFrame` window actor, which Firefox 140 registers for the tabs' message manager group ('browsers')
 * only: a command on the panel then fails with "Window protocol 'MessageHandlerFrame' doesn't match message manager
 * group". Probed on the extension's background page (running by then); when refused, the actor is registered again
 * with the extension pages' group added, with the same modules and events. Run it before BiDi subscribes to anything
 * and before a tab loads: a registration drops the actors of open documents (new ones come with the next document or
 * BiDi command). Returns 'reachable' (nothing to do) or 'extended'.
 */
export function extensionPagesReachableScript(extensionId: string): string {
  return `(() => {
    const extension = WebExtensionPolicy.getByID(${json(extensionId)})?.extension;
    const background = extension && [...extension.views].find((view) => view.viewType === 'background')?.xulBrowser;
    const windowGlobal = background?.browsingContext?.currentWindowGlobal;
    if (!windowGlobal) throw new Error('the extension ' + ${json(extensionId)} + ' has no background page to probe');
    try {
      windowGlobal.getActor('MessageHandlerFrame');
      return 'reachable';
    } catch (error) {
      if (error.name !== 'NotSupportedError') throw error;
    }
    const actors = 'chrome://remote/content/shared/messagehandler/transports/js-window-actors/';
    ChromeUtils.unregisterWindowActor('MessageHandlerFrame');
    ChromeUtils.registerWindowActor('MessageHandlerFrame', {
      parent: { esModuleURI: actors + 'MessageHandlerFrameParent.sys.mjs' },
      child: {
        esModuleURI: actors + 'MessageHandlerFrameChild.sys.mjs',
        events: { DOMWindowCreated: {}, pagehide: {}, pageshow: {} },
      },
      allFrames: true,
      messageManagerGroups: ['browsers', ${json(EXTENSION_BROWSERS)}],
    });
    windowGlobal.getActor('MessageHandlerFrame');
    return 'extended';
  })()`;
}

export interface OpenedPanel {
  /** BiDi context id of the panel document (see panelContextIdsScript). */
  context: string;
  /** DevTools' tool id of the panel (webext-devtools-panel-…). */
  toolId: string;
  /** The panel <browser>'s current URL. */
  url: string;
}

/**
 * Opens Firefox's toolbox for the tab of `contextId` (docked at the bottom), waits for the extension's panel to be
 * registered by its devtools_page, selects it and waits for its document to load.
 */
export function openPanelScript(contextId: string, extensionId: string, title: string, timeoutMs: number): string {
  return `(async () => {
    const tabOf = ${TAB_OF};
    const gDevTools = ${DEVTOOLS};
    const deadline = Date.now() + ${timeoutMs};
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
    const tab = tabOf(${json(contextId)});
    gBrowser.selectedTab = tab;
    const toolbox = await gDevTools.showToolboxForTab(tab, { toolId: 'webconsole', hostType: 'bottom' });
    if (!toolbox) throw new Error('Firefox opened no toolbox for this tab');
    let tool;
    while (!(tool = toolbox.getAdditionalTools().find((t) => t.extensionId === ${json(extensionId)} && t.label === ${json(title)}))) {
      if (Date.now() > deadline) {
        throw new Error('the toolbox has no panel "' + ${json(title)} + '" of the extension; extension panels: ' + JSON.stringify(toolbox.getAdditionalTools().map((t) => t.label)));
      }
      await pause();
    }
    await toolbox.selectTool(tool.id);
    for (;;) {
      const frame = toolbox.doc.getElementById('toolbox-panel-iframe-' + tool.id);
      const browser = frame?.contentDocument?.querySelector('browser');
      const url = browser?.currentURI?.spec ?? '';
      if (browser?.browsingContext && url.startsWith('moz-extension://')) {
        return { context: ${json(PANEL_CONTEXT_PREFIX)} + browser.browsingContext.id, toolId: tool.id, url };
      }
      if (Date.now() > deadline) throw new Error('the panel document did not load (url: ' + url + ')');
      await pause();
    }
  })()`;
}

/** Selects another tool of the tab's toolbox ('webconsole', 'inspector', or an extension panel's tool id). */
export function selectToolScript(contextId: string, toolId: string): string {
  return `(async () => {
    const toolbox = ${DEVTOOLS}.getToolboxForTab((${TAB_OF})(${json(contextId)}));
    if (!toolbox) throw new Error('no toolbox is open for this tab');
    await toolbox.selectTool(${json(toolId)});
    return toolbox.currentToolId;
  })()`;
}

/** Closes the tab's toolbox (its panels unload, their ports disconnect). */
export function closeToolboxScript(contextId: string): string {
  return `(async () => {
    const toolbox = ${DEVTOOLS}.getToolboxForTab((${TAB_OF})(${json(contextId)}));
    if (toolbox) await toolbox.destroy();
    return true;
  })()`;
}

/** The state of the extension's background ('running', 'stopped', 'starting', 'suspending'). */
export function backgroundStateScript(extensionId: string): string {
  return `(() => {
    const extension = WebExtensionPolicy.getByID(${json(extensionId)})?.extension;
    if (!extension) throw new Error('extension ' + ${json(extensionId)} + ' is not installed');
    return extension.backgroundState;
  })()`;
}

/**
 * Terminates the extension's event page as Firefox does when it is idle (about:debugging's "Terminate background
 * script"): the equivalent of stopping Chromium's service worker.
 */
export function terminateBackgroundScript(extensionId: string): string {
  return `(async () => {
    const extension = WebExtensionPolicy.getByID(${json(extensionId)})?.extension;
    if (!extension) throw new Error('extension ' + ${json(extensionId)} + ' is not installed');
    await extension.terminateBackground({ ignoreDevToolsAttached: true });
    return extension.backgroundState;
  })()`;
}

/** Errors and warnings of the browser console whose source is in `origin` (background, panel, content scripts). */
export function consoleErrorsScript(origin: string): string {
  return `(() => Services.console.getMessageArray()
    .filter((m) => m instanceof Ci.nsIScriptError && (m.sourceName || '').startsWith(${json(origin)}))
    .filter((m) => !(m.flags & Ci.nsIScriptError.infoFlag))
    .map((m) => ((m.flags & Ci.nsIScriptError.warningFlag) ? 'warning: ' : 'error: ') + m.errorMessage + ' (' + m.sourceName.slice(${json(origin)}.length) + ':' + m.lineNumber + ')'))()`;
}

export interface BackgroundEvents {
  /** Event page starts since the watch began. */
  started: number;
  /** Suspensions (idle timeout or terminateBackground). */
  suspended: number;
  /** Idle-timer resets by a call of `apiPath` (see backgroundEventsScript). */
  resets: number;
}

/**
 * Counts, from now on, the extension's background starts, suspensions and idle-timer resets by calls of `apiPath`
 * (Firefox's own events on the Extension object). Read with backgroundEventsScript. Idempotent.
 */
export function watchBackgroundScript(extensionId: string, apiPath: string): string {
  return `(() => {
    const extension = WebExtensionPolicy.getByID(${json(extensionId)})?.extension;
    if (!extension) throw new Error('extension ' + ${json(extensionId)} + ' is not installed');
    if (window.__lqdBackgroundEvents) return true;
    const counts = (window.__lqdBackgroundEvents = { started: 0, suspended: 0, resets: 0 });
    extension.on('background-script-started', () => void counts.started++);
    extension.on('background-script-suspend', () => void counts.suspended++);
    extension.on('background-script-reset-idle', (event, data) => {
      if (data?.path === ${json(apiPath)}) counts.resets++;
    });
    return true;
  })()`;
}

export function backgroundEventsScript(): string {
  return `(() => window.__lqdBackgroundEvents ?? null)()`;
}
