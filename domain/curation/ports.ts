import type { CallStore, Clock, RatingStore, TranscriptStore } from '../ports.ts';
import type { CuratedDataset } from './types.ts';

/** Where a dataset version's files go (the store decides; the manifest records them). */
export interface DatasetLocation {
  train: string;
  validation: string;
  manifest: string;
}

export interface DatasetFiles {
  train: string;
  validation: string;
  manifest: string;
}

/** Curated dataset versions: files in the transcripts bucket, one listing item each in the table. */
export interface DatasetStore {
  locate(version: string): DatasetLocation;
  getDataset(version: string): Promise<CuratedDataset | undefined>;
  /** Every version, newest first. */
  listDatasets(): Promise<CuratedDataset[]>;
  /**
   * Writes the files, then the item (so an item always has its files). False when the version
   * already exists: the files written are the same bytes, so nothing changed.
   */
  putDataset(dataset: CuratedDataset, files: DatasetFiles): Promise<boolean>;
}

export type CurationPhase = 'ratings' | 'calls' | 'records' | 'writing';

export interface CurationProgress {
  phase: CurationPhase;
  done: number;
  total?: number;
}

export interface CurationDeps {
  ratings: Pick<RatingStore, 'listRatingsBetween' | 'listRatingsForCall'>;
  calls: Pick<CallStore, 'getCall'>;
  transcripts: Pick<TranscriptStore, 'getTranscript'>;
  datasets: DatasetStore;
  clock: Clock;
  /** Calls read at once (DynamoDB and S3 reads per call). */
  concurrency?: number;
  onProgress?: (progress: CurationProgress) => void;
}
