// The panel's stores, their composition and the hooks that read them.

export { createPanelStore, type PanelDeps, type PanelStore } from './panel-store.js';
export {
  PanelStoreContext,
  useComposer,
  useConnections,
  useFanoutCheck,
  useFleets,
  useInject,
  useKeyring,
  useLayout,
  useLint,
  useNames,
  usePage,
  useRecordingFiles,
  useReplay,
  useResultSets,
  useServerChecks,
  useTimeline,
  useTokenRadar,
  useView,
  useWhy,
} from './hooks.js';
export { loadSettings, saveSettingsOnChange, type PanelSettings } from './settings.js';
