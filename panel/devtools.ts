// The devtools_page: registers the LiveQuery panel in DevTools.
import { extensionApi } from '../src/extension-api.js';

// Chrome's devtools.panels.create takes a callback and returns nothing; Firefox returns a promise. Neither is needed.
void extensionApi.devtools.panels.create('LiveQuery', 'icons/icon-32.png', 'panel.html');
