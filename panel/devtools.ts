// The devtools_page: registers the LiveQuery panel in DevTools.
import browser from 'webextension-polyfill';

void browser.devtools.panels.create('LiveQuery', 'icons/icon-32.png', 'panel.html');
