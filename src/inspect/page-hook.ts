// Entry of the MAIN-world content script (document_start, all frames): wraps the page's WebSocket before page scripts run.

import { installPageHook } from './install-page-hook.js';

installPageHook(window);
