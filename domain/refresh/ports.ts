import type { CuratedDataset } from '../curation/types.ts';
import type { Clock, NotesModel } from '../ports.ts';
import type { ChampionPointer, ModelVersion, ServingKind } from './types.ts';

/**
 * The model registry in the table: version items and the champion pointer of each line. Single-item
 * conditional writes only (dynalite has no transactions): every save names the revision it read.
 */
export interface ModelRegistry {
  /** Every version of the line, oldest first. */
  listVersions(line: string): Promise<ModelVersion[]>;
  getVersion(line: string, version: number): Promise<ModelVersion | undefined>;
  /** Writes a new version item; false when that version number already exists (another pass took it). */
  createVersion(version: ModelVersion): Promise<boolean>;
  /** Saves a changed version if its stored revision is still `version.revision`; returns it with the next revision. Throws RegistryConflictError otherwise. */
  saveVersion(version: ModelVersion): Promise<ModelVersion>;
  getChampion(line: string): Promise<ChampionPointer | undefined>;
  /** Writes the pointer if the stored one still has `expectedRevision` (undefined: none stored yet). Throws RegistryConflictError otherwise. */
  putChampion(pointer: ChampionPointer, expectedRevision: number | undefined): Promise<ChampionPointer>;
}

export interface CustomizationJobRequest {
  jobName: string;
  customModelName: string;
  baseModelId: string;
  roleArn: string;
  clientRequestToken: string;
  trainingS3Uri: string;
  /** Omitted when the validation file holds no records (Bedrock refuses an empty one). */
  validationS3Uri?: string;
  outputS3Uri: string;
  hyperParameters: Record<string, string>;
}

export interface CustomizationJobState {
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  failureMessage?: string;
  outputModelArn?: string;
  trainingLoss?: number;
  validationLoss?: number;
  endTime?: string;
}

export interface ServingRequest {
  kind: ServingKind;
  name: string;
  modelArn: string;
  modelUnits: number;
  clientRequestToken: string;
}

/** Bedrock's control plane as the refresh uses it. Requests Bedrock refuses for good throw CustomizationRequestError. */
export interface ModelCustomization {
  /** Starts a job, or finds the one this clientRequestToken (or job name) already started. */
  startJob(request: CustomizationJobRequest): Promise<{ jobArn: string }>;
  getJob(jobArn: string): Promise<CustomizationJobState>;
  createServing(request: ServingRequest): Promise<{ arn: string }>;
  getServing(kind: ServingKind, arn: string): Promise<{ status: 'creating' | 'ready' | 'failed'; message?: string }>;
  deleteServing(kind: ServingKind, arn: string): Promise<void>;
}

/** Counts for alarms and dashboards (Powertools metrics in the function). */
export interface RefreshMetrics {
  jobFailed(line: string, status: string): void;
  promoted(line: string): void;
  rejected(line: string): void;
}

export interface RefreshDeps {
  registry: ModelRegistry;
  customization: ModelCustomization;
  datasets: { listDatasets(): Promise<CuratedDataset[]> };
  /** Reads a dataset file (the validation split) by its s3:// URI. */
  files: { readText(uri: string): Promise<string> };
  /** A notes model for a model id, served through the same adapter ingest uses. */
  models: { forModel(modelId: string, modelVersion: string): NotesModel };
  clock: Clock;
  metrics?: RefreshMetrics;
}
