export { curateDataset, datasetVersion, resolveWindow, type CurationResult } from './curate.ts';
export { HistoryLineError, InvalidWindowError } from './errors.ts';
export {
  canonicalJson,
  historyCallId,
  historyCorrections,
  historyMessage,
  importHistoryDialogue,
  parseHistoryLine,
  type HistoryDialogue,
  type HistoryImportDeps,
  type HistoryImportOptions,
  type HistoryImportResult,
} from './history.ts';
export { jaccard, minHashSignature, NearDuplicateFilter, removeNearDuplicates, shingleHashes, shingles } from './near-duplicates.ts';
export type { CurationDeps, CurationProgress, DatasetFiles, DatasetLocation, DatasetStore } from './ports.ts';
export { checkRecord, FAMILY_FORMAT, FAMILY_LIMITS, toTuningRecord, trainingTexts, type TuningRecord } from './records.ts';
export { betterRatingFirst, decidingRating, selectNotes } from './selection.ts';
export { capTopics, splitPosition, splitRecords } from './split.ts';
export * from './types.ts';
