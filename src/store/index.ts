/** The replicated ring store: durable blob stores and the RingStore service on a ChordNode. */
export * from './blob-store.js';
export * from './disk-blob-store.js';
export * from './memory-blob-store.js';
export * from './ring-store.js';
export * from './store-constants.js';
export * from './store-error.js';
export type { MaintenanceReport } from './store-maintainer.js';
export * from './ring-chunk-sources.js';
