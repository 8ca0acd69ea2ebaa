import type { CallNotes } from '../../domain/notes.ts';
import type { Rating, RatingInput, RatingSummary } from '../../domain/ratings.ts';
import type { CuratedDataset, DatasetCounts, RatingWindow, TuningFamily } from '../../domain/curation/types.ts';

/** GET /calls item and GET /calls/{callId} (functions/lib/call-dto.ts). */
export interface CallSummary {
  callId: string;
  agentId: string;
  queue: string | null;
  startedAt: string;
  language: string | null;
  status: string;
  notes: CallNotes;
  model: { id: string; version: string };
  usage: { inputTokens: number; outputTokens: number; modelCalls?: number };
  latencyMs: number;
  transcript: { uri: string; format: string; turnCount: number; speakerRoles: Record<string, string> };
  processedAt: string;
  /** Not served yet by GET /calls (asked for): lets "next unrated call" skip a request per call. */
  myRating?: { score: number; ratedAt: string } | null;
}

export interface CallDetail extends CallSummary {
  ratings: RatingSummary;
  myRating: Rating | null;
}

export interface CallPage {
  calls: CallSummary[];
  nextCursor: string | null;
}

export interface CallListQuery {
  agentId?: string;
  from?: string;
  to?: string;
  topic?: string;
  limit?: number;
  cursor?: string;
}

/** Assumed: GET /calls/{callId}/transcript (not served yet). The redacted, normalized transcript. */
export interface TranscriptTurn {
  role: 'agent' | 'customer' | 'other';
  text: string;
  startMs?: number;
}
export interface CallTranscript {
  callId: string;
  turns: TranscriptTurn[];
}

export type CuratedDatasetRow = CuratedDataset;

/** Assumed: GET /datasets (not served yet): dataset versions as curation lists them (domain/curation/types.ts), newest first. */
export interface DatasetList {
  datasets: CuratedDataset[];
  nextCursor?: string | null;
}

/** Assumed: POST /datasets (curate now): the curation result. */
export type CurateNowResult =
  | { status: 'created' | 'existing'; window: RatingWindow; dataset: CuratedDataset }
  | { status: 'empty'; window: RatingWindow; counts: DatasetCounts };

export type ModelStatus = 'candidate' | 'training' | 'awaiting-approval' | 'evaluating' | 'champion' | 'retired' | 'rejected' | 'failed';

/** GET /models: the registry of the model line ingest serves. */
export interface RegisteredModel {
  /** Registry id, used in POST /models/{id}/approve. */
  id: string;
  /** The provisioned/deployed ARN that serves it, or the custom model ARN before it is served. */
  modelId: string | null;
  /** Why the version is where it is, in a sentence. */
  reason?: string;
  version: string;
  family: TuningFamily;
  status: ModelStatus;
  datasetVersion: string | null;
  jobArn?: string | null;
  createdAt: string;
  promotedAt?: string | null;
  /** Evaluation on the held-out set, e.g. { rougeL: 0.41, topicF1: 0.77, schemaValid: 1 }. */
  metrics?: Record<string, number | null> | null;
  /** For candidates: the champion's metrics on the same evaluation, for comparison. */
  baseline?: Record<string, number | null> | null;
}
export interface ModelList {
  models: RegisteredModel[];
}

/** RFC 9457 problem details, as functions/lib/http.ts answers them. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | null,
    private readonly onUnauthorized: (problem: ApiProblem) => void = () => {},
  ) {}

  listCalls(query: CallListQuery): Promise<CallPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const search = params.size ? `?${params}` : '';
    return this.request<CallPage>('GET', `/calls${search}`);
  }

  getCall(callId: string): Promise<CallDetail> {
    return this.request('GET', `/calls/${encodeURIComponent(callId)}`);
  }

  getTranscript(callId: string): Promise<CallTranscript> {
    return this.request('GET', `/calls/${encodeURIComponent(callId)}/transcript`);
  }

  rateCall(callId: string, input: RatingInput): Promise<Rating> {
    return this.request('POST', `/calls/${encodeURIComponent(callId)}/ratings`, input);
  }

  listDatasets(): Promise<DatasetList> {
    return this.request('GET', '/datasets');
  }

  curateNow(): Promise<CurateNowResult> {
    return this.request('POST', '/datasets', {});
  }

  listModels(): Promise<ModelList> {
    return this.request('GET', '/models');
  }

  approveModel(id: string): Promise<RegisteredModel> {
    return this.request('POST', `/models/${encodeURIComponent(id)}/approve`, {});
  }

  rollbackModel(): Promise<unknown> {
    return this.request('POST', '/models/rollback', {});
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const token = this.token();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (error) {
      throw new ApiProblem(0, 'Network error', `could not reach the API: ${(error as Error).message}`);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const problem = (parsed ?? {}) as { title?: string; detail?: string; field?: string };
      const error = new ApiProblem(response.status, problem.title ?? response.statusText, problem.detail ?? `HTTP ${response.status}`, problem.field);
      if (response.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A route that colleagues have not shipped yet answers 404 (no route) : the view says "not available yet". */
export const isNotAvailableYet = (error: unknown): boolean => error instanceof ApiProblem && (error.status === 404 || error.status === 405 || error.status === 501);
