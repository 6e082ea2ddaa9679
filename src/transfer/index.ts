/** The transfer engine: manifests, verified multi-source downloads, serving chunks from disk. */
export * from './chunk-reader.js';
export * from './download-session.js';
export * from './file-digest.js';
export * from './hash-pool.js';
export * from './manifest.js';
export * from './part-file.js';
export * from './piece-picker.js';
export * from './rate-limiter.js';
export * from './rate-meter.js';
export * from './read-fully.js';
export * from './safe-name.js';
export * from './transfer-constants.js';
export * from './transfer-error.js';
export * from './transfer-manager.js';
