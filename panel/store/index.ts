// The panel's stores, their composition and the hooks that read them.

export { createPanelStore, type PanelDeps, type PanelStore } from './panel-store.js';
export {
  PanelStoreContext,
  useComposer,
  useConnections,
  useInject,
  useKeyring,
  useLayout,
  useNames,
  usePage,
  useRecordingFiles,
  useReplay,
  useResultSets,
  useTimeline,
  useView,
} from './hooks.js';
export { loadSettings, saveSettingsOnChange, type PanelSettings } from './settings.js';
