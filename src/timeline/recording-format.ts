// The recording file's format name and version, apart from the exporter so that code which only checks them
// (the replay plan) does not pull the whole export/import code into the panel's first paint.

export const RECORDING_FORMAT = 'livequery-devtools-recording';
/** 2: typed sources and markers; version 1 files (sentinel sources, labelled records) are converted on import. */
export const RECORDING_VERSION = 2;
