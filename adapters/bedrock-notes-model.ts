import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  type ContentBlock,
  type ConverseCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pRetry, { AbortError } from 'p-retry';
import { DeadlineExceededError, ModelThrottledError, ModelUnavailableError, TransientError } from '#domain/errors.ts';
import type { ModelAnswer, ModelCallOptions, NotesModel } from '#domain/ports.ts';
import { AdaptiveConcurrency } from './adaptive-concurrency.ts';
import { withoutSdkLogger } from './sdk-logging.ts';
import type { ModelMode, NotesPrompt } from '#domain/prompt.ts';

const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
const UNAVAILABLE = new Set([
  'ModelTimeoutException', 'ModelNotReadyException', 'ServiceUnavailableException', 'InternalServerException', 'TimeoutError',
]);
/**
 * Connection failures (the codes the SDK's own retry strategy treats as transient). With kept-alive
 * connections a socket can go stale while Lambda is frozen; the next attempt opens a new one.
 */
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The Bedrock Runtime client for model calls: one attempt a call (the retries are ours), over
 * HTTP/1.1 keep-alive connections. The SDK's default for this client is HTTP/2 with
 * `disableConcurrentStreams`, which opens a new connection (a TLS handshake on AWS) for every
 * request: right for its bidirectional streams, needless for Converse, which we only call
 * (test/integration/bedrock-emulator.test.ts counts the connections; `npm run bench` shows the cost).
 * Pacing after throttles is AdaptiveConcurrency's (its pause), not the SDK's adaptive retry mode:
 * that mode's rate limiter ignores the caller's deadline, lets a call that gave up take a token
 * later, and stays on for the container's life once a throttle turned it on.
 * Without the SDK logger middleware (withoutSdkLogger).
 */
export function bedrockRuntimeClient(config: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return withoutSdkLogger(new BedrockRuntimeClient({ maxAttempts: 1, requestHandler: new NodeHttpHandler(), ...config }));
}

export interface BedrockNotesModelOptions {
  modelId: string;
  modelVersion: string;
  /** Defaults to what the model id implies (modeForModel). */
  mode?: ModelMode;
  maxOutputTokens: number;
  client?: BedrockRuntimeClient;
  /** Attempts per request for throttling, timeouts and 5xx, within the caller's deadline. */
  maxAttempts?: number;
  /** Longest a request may keep retrying, whatever the deadline (seconds). */
  maxRetrySeconds?: number;
  concurrency?: AdaptiveConcurrency;
  /** Told about every throttle, e.g. to count it in metrics. */
  onThrottle?: () => void;
}

/**
 * Fine-tuned models (custom, provisioned or deployed ARNs) answer with JSON text; base models
 * are forced through the notes tool (DESIGN §4).
 */
export function modeForModel(modelId: string): ModelMode {
  return /^arn:aws[\w-]*:bedrock:[^:]*:\d*:(custom-model|provisioned-model|custom-model-deployment|imported-model)\//.test(modelId)
    ? 'json-text'
    : 'tool';
}

/** The notes model over the Bedrock Converse API: this adapter owns the wire format. */
export class BedrockNotesModel implements NotesModel {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly mode: ModelMode;
  readonly #client: BedrockRuntimeClient;
  readonly #options: BedrockNotesModelOptions;
  readonly #concurrency: AdaptiveConcurrency;

  constructor(options: BedrockNotesModelOptions) {
    this.modelId = options.modelId;
    this.modelVersion = options.modelVersion;
    this.mode = options.mode ?? modeForModel(options.modelId);
    this.#options = options;
    this.#client = options.client ?? bedrockRuntimeClient();
    this.#concurrency = options.concurrency ?? new AdaptiveConcurrency();
  }

  /**
   * Throttles, model timeouts and not-ready errors are retried here with jittered exponential
   * backoff, through the adaptive concurrency limit, until the deadline: only a request that
   * cannot succeed in time fails its message back to the queue.
   */
  async generate(prompt: NotesPrompt, options: ModelCallOptions = {}): Promise<ModelAnswer> {
    const { maxAttempts = 6, maxRetrySeconds = 120, onThrottle } = this.#options;
    const started = Date.now();
    const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
    const budgetMs = Math.min(maxRetrySeconds * 1000, deadline - started);
    const outOfTime = () => new AbortError(new DeadlineExceededError('no time left in the invocation for another model call; the message goes back to the queue'));
    return pRetry(
      () =>
        this.#concurrency.run(
          () => {
            // No attempt starts at or past the deadline, and none runs past it.
            const left = deadline - Date.now();
            if (left <= 0) throw outOfTime();
            return this.#converse(prompt, Number.isFinite(left) ? AbortSignal.timeout(left) : undefined);
          },
          (error) => {
            const throttled = error instanceof ModelThrottledError;
            if (throttled) onThrottle?.();
            return throttled;
          },
          deadline,
          outOfTime,
        ),
      {
        retries: maxAttempts - 1,
        minTimeout: 250,
        maxTimeout: 8_000,
        randomize: true,
        maxRetryTime: Math.max(0, budgetMs),
        shouldRetry: ({ error }) => error instanceof TransientError,
      },
    );
  }

  async #converse(prompt: NotesPrompt, abortSignal?: AbortSignal): Promise<ModelAnswer> {
    const started = performance.now();
    const input: ConverseCommandInput = {
      modelId: this.modelId,
      system: [{ text: prompt.system }],
      messages: prompt.messages.map((m): Message => ({ role: m.role, content: [{ text: m.text }] })),
      inferenceConfig: { maxTokens: this.#options.maxOutputTokens, temperature: 0 },
    };
    if (prompt.tool) {
      input.toolConfig = {
        tools: [{ toolSpec: { name: prompt.tool.name, description: prompt.tool.description, inputSchema: { json: prompt.tool.inputSchema as never } } }],
        toolChoice: { tool: { name: prompt.tool.name } },
      };
    }
    let response;
    try {
      response = await this.#client.send(new ConverseCommand(input), { abortSignal });
    } catch (error) {
      if (abortSignal?.aborted) throw new AbortError(new DeadlineExceededError('the model call ran into the invocation deadline; the message goes back to the queue'));
      throw classify(error);
    }
    const content: ContentBlock[] = response.output?.message?.content ?? [];
    const toolUse = content.find((block) => block.toolUse !== undefined)?.toolUse;
    const text = content.map((block) => block.text ?? '').join('');
    return {
      output: prompt.tool && toolUse ? { kind: 'tool', input: toolUse.input } : { kind: 'text', text },
      usage: { inputTokens: response.usage?.inputTokens ?? 0, outputTokens: response.usage?.outputTokens ?? 0 },
      latencyMs: response.metrics?.latencyMs ?? Math.round(performance.now() - started),
    };
  }
}

/** The model a line serves now, as the champion pointer names it (undefined: no pointer, serve the configured model). */
export type ServedModelSource = () => Promise<{ modelId: string; modelVersion: string; mode: ModelMode } | undefined>;

export interface ChampionNotesModelOptions extends Omit<BedrockNotesModelOptions, 'mode'> {
  /** The champion pointer (cached: see ModelPointerCache). */
  served: ServedModelSource;
}

/**
 * The notes model of a model line: each call resolves the champion pointer (cached per container)
 * to a BedrockNotesModel, so a promotion or a rollback reaches ingest without a redeploy. Model id,
 * version and prompt mode come from the pointer; with no pointer they are the configured model's.
 * The Bedrock client and the adaptive concurrency limit are shared by every model it resolves to.
 */
export class ChampionNotesModel implements NotesModel {
  readonly #options: ChampionNotesModelOptions;
  readonly #concurrency: AdaptiveConcurrency;
  readonly #client: BedrockRuntimeClient;
  readonly #models = new Map<string, BedrockNotesModel>();
  #current: BedrockNotesModel;

  constructor(options: ChampionNotesModelOptions) {
    this.#options = options;
    this.#client = options.client ?? bedrockRuntimeClient();
    this.#concurrency = options.concurrency ?? new AdaptiveConcurrency();
    this.#current = this.#model(options.modelId, options.modelVersion, modeForModel(options.modelId));
  }

  get modelId(): string {
    return this.#current.modelId;
  }

  get modelVersion(): string {
    return this.#current.modelVersion;
  }

  get mode(): ModelMode {
    return this.#current.mode;
  }

  async resolve(): Promise<NotesModel> {
    const served = await this.#options.served();
    this.#current = served
      ? this.#model(served.modelId, served.modelVersion, served.mode)
      : this.#model(this.#options.modelId, this.#options.modelVersion, modeForModel(this.#options.modelId));
    return this.#current;
  }

  /** For callers that do not resolve first: the model last resolved. */
  generate(prompt: NotesPrompt, options?: ModelCallOptions): Promise<ModelAnswer> {
    return this.#current.generate(prompt, options);
  }

  #model(modelId: string, modelVersion: string, mode: ModelMode): BedrockNotesModel {
    const key = `${modelId}\n${modelVersion}\n${mode}`;
    let model = this.#models.get(key);
    if (!model) {
      model = new BedrockNotesModel({ ...this.#options, modelId, modelVersion, mode, client: this.#client, concurrency: this.#concurrency });
      this.#models.set(key, model);
    }
    return model;
  }
}

function classify(error: unknown): unknown {
  const name = (error as { name?: string }).name ?? '';
  if (THROTTLED.has(name)) return new ModelThrottledError(`Bedrock throttled the request (${name})`, { cause: error });
  if (UNAVAILABLE.has(name)) return new ModelUnavailableError(`Bedrock model unavailable (${name})`, { cause: error });
  const code = (error as { code?: string }).code ?? '';
  if (NETWORK.has(code)) return new ModelUnavailableError(`Bedrock connection failed (${code})`, { cause: error });
  return error;
}
