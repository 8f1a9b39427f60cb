/**
 * The lifecycle context's runtime port as the inference context uses it. Re-exported
 * here so the rest of this context depends on one file of the lifecycle's public contract.
 */
export { MODEL_RUNTIME, type ModelRuntimePort, type InferenceInput, type InferResult } from '../../lifecycle/application/ports/model-runtime.port.js';
export type { InferenceOutput, ItemResult } from '../../lifecycle/infrastructure/workers/worker-protocol.js';
export { WorkerExitedError, WorkerRequestError, WorkerTimeoutError } from '../../lifecycle/infrastructure/workers/worker-errors.js';
