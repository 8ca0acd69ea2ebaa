export { CustomizationRequestError, ModelCommandError, RefreshSettingsError, RegistryConflictError } from './errors.ts';
export { approveVersion, declineVersion, listModelLine, parseVersionId, rollbackChampion, type ModelLineView, type RollbackResult } from './operator.ts';
export type { CustomizationJobRequest, CustomizationJobState, ModelCustomization, ModelRegistry, RefreshDeps, RefreshMetrics, ServingRequest } from './ports.ts';
export { datasetRef, decidePromotion, HYPERPARAMETER_RANGES, hyperParameterProblems, jobToken, newExamples, resourceName, scoresOf } from './policy.ts';
export { baseModel, refreshLine, servedBy, versionId } from './refresh.ts';
export * from './types.ts';
