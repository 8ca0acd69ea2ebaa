import type { RaterRole } from '../ratings.ts';

/** Base-model family a dataset is written for: each takes its own record format (DESIGN §4). */
export type TuningFamily = 'claude3' | 'nova';

export const TUNING_FAMILIES = ['claude3', 'nova'] as const satisfies readonly TuningFamily[];

/** Ratings made in [from, to): ISO 8601 instants. */
export interface RatingWindow {
  from: string;
  to: string;
}

/** Why a rated call is not in a dataset; each is counted in the manifest. */
export type DropReason =
  | 'low-score'
  | 'neutral-score'
  | 'invalid-correction'
  | 'call-not-found'
  | 'transcript-not-found'
  | 'pii'
  | 'reserved-keyword'
  | 'over-token-limit'
  | 'near-duplicate'
  | 'topic-cap'
  | 'over-record-limit';

export const DROP_REASONS: readonly DropReason[] = [
  'low-score', 'neutral-score', 'invalid-correction', 'call-not-found', 'transcript-not-found',
  'pii', 'reserved-keyword', 'over-token-limit', 'near-duplicate', 'topic-cap', 'over-record-limit',
];

/** The rating that decides what a call teaches, reduced to what ranking and the manifest need. */
export interface DecidingRating {
  raterId: string;
  raterRole: RaterRole;
  score: number;
  ratedAt: string;
  corrected: boolean;
}

/**
 * One call that passed selection, reduced to what ranking, near-duplicate detection, the topic cap,
 * the split and the files need (tens of thousands are held at once, so no transcript or notes).
 */
export interface CandidateRecord {
  callId: string;
  source: 'model' | 'corrected';
  rating: DecidingRating;
  /** The first topic of the notes it teaches, the label topics are balanced by. */
  topic: string;
  /** The record as one JSONL line. */
  line: string;
  tokens: number;
  /** `shingleHashes` of the transcript as the prompt shows it: its MinHash signature is computed from these. */
  shingleHashes: Int32Array;
  /**
   * Where that transcript text is: [start, end) in the record's user text (read back from `line`
   * for the exact comparison of a candidate near-duplicate pair), or the text itself when the
   * prompt does not hold it in one piece.
   */
  transcript: { start: number; end: number } | { text: string };
}

export interface DatasetFile {
  uri: string;
  records: number;
  bytes: number;
  sha256: string;
}

export interface DatasetCounts {
  /** Calls with a current rating in the window. */
  considered: number;
  /** Records written (train + validation). */
  selected: number;
  train: number;
  validation: number;
  /** Where the selected notes came from. */
  sources: { model: number; corrected: number };
  dropped: Record<DropReason, number>;
}

/** A dataset version as listed (the DynamoDB item); the manifest adds the source call ids and settings. */
export interface CuratedDataset {
  version: string;
  createdAt: string;
  family: TuningFamily;
  format: string;
  window: RatingWindow;
  counts: DatasetCounts;
  /** Records per first topic, most frequent first (at most 20 kept on the item). */
  topics: Record<string, number>;
  files: { train: DatasetFile; validation: DatasetFile };
  manifestUri: string;
}

export interface DroppedCall {
  callId: string;
  reason: DropReason;
  detail?: string;
}

/** manifest.json: the listing item plus every topic, the source call ids, settings and what was dropped. */
export interface DatasetManifest extends CuratedDataset {
  sourceCallIds: { train: string[]; validation: string[] };
  settings: CurationSettings;
  limits: FamilyLimits;
  dropped: DroppedCall[];
}

/** Curation settings (configuration, with defaults). */
export interface CurationSettings {
  family: TuningFamily;
  /** Most records with the same first topic. */
  topicCap: number;
  /** Share of records held out for validation, 0..0.5. */
  validationFraction: number;
  /** Jaccard similarity of transcript shingles at or above which two calls are near-duplicates. */
  nearDuplicateThreshold: number;
  /** With no earlier dataset, the default window reaches this many days back ("the beginning" of ratings). */
  firstWindowDays: number;
}

export const DEFAULT_CURATION_SETTINGS: CurationSettings = {
  family: 'claude3',
  topicCap: 200,
  validationFraction: 0.1,
  nearDuplicateThreshold: 0.9,
  firstWindowDays: 365,
};

export interface FamilyLimits {
  /** Largest record, in estimated tokens (characters / 4, as estimateTokens). */
  maxTokensPerRecord: number;
  maxTrainRecords: number;
  maxValidationRecords: number;
  /** Train + validation, where the family counts them together. */
  maxTotalRecords: number;
}
