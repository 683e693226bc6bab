// The store reaches components through one Preact context; each concern has its own small hook.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PanelStore } from './panel-store.js';

export const PanelStoreContext = createContext<PanelStore | null>(null);

function usePanelStore(): PanelStore {
  const store = useContext(PanelStoreContext);
  if (!store) throw new Error('A panel component was rendered outside PanelStoreContext');
  return store;
}

export const useConnections = () => usePanelStore().connections;
export const usePage = () => usePanelStore().page;
export const useTimeline = () => usePanelStore().timeline;
export const useResultSets = () => usePanelStore().resultSets;
export const useWhy = () => usePanelStore().why;
export const useView = () => usePanelStore().view;
export const useLayout = () => usePanelStore().layout;
export const useKeyring = () => usePanelStore().keyring;
export const useComposer = () => usePanelStore().composer;
export const useNames = () => usePanelStore().names;
export const useRecordingFiles = () => usePanelStore().recordingFiles;
export const useTokenRadar = () => usePanelStore().tokenRadar;
export const useServerChecks = () => usePanelStore().serverChecks;
export const useLint = () => usePanelStore().lint;
export const useFleets = () => usePanelStore().fleets;
export const useFanoutCheck = () => usePanelStore().fanout;
export const useInject = () => usePanelStore().inject;
export const useReplay = () => usePanelStore().replay;
