// Public entry of the PCRS simulator: the server, its ground truth and the file generator.
// Everything else in this folder is internal and may change without notice.

export { startSimulator } from './server.js';
export type { Simulator, SimulatorOptions, SimulatorCounters, RequestLogEntry } from './server.js';
export { expectedRecords, expectedCount, postureChanges, generateFile, fullRequestBody } from './truth.js';
export type { ExpectedQuery, PostureChange, GenerateFileOptions, GeneratedFile } from './truth.js';
export { DataSet, DEFAULT_DATA_OPTIONS, DAY_ZERO_MS, dayStartMs } from './dataset.js';
export type { DataOptions } from './dataset.js';
export { DEFAULT_FAULTS } from './faults.js';
export type { ApiName, FaultName, FaultSettings, FaultTarget, Faults, RateLimitSettings } from './faults.js';
export type { HostIdsElement } from './records.js';
export type { ApiVersion } from './query.js';
