import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localSdkEnv } from '#cli/target.ts';
import { loadFunctionHandler } from '#local/functions.ts';
import { intrinsicValue, type LocalResource } from '#local/resources.ts';
import { loadServerlessConfig, type ServerlessConfig } from '#local/serverless-config.ts';
import { SqsEventSource, type BatchOutcome, type SqsHandler } from '#local/sqs-event-source.ts';
import type { LocalStackInfo } from '#local/stack.ts';

export interface AttachOptions {
  /** Extra function environment (e.g. CALLNOTES_RETRY_BASE_SECONDS=1, LOG_LEVEL). */
  env?: Record<string, string>;
  /** Overrides the function timeout the event source enforces (seconds). */
  timeoutSeconds?: number;
  onBatch?: (batch: BatchOutcome) => void;
  serverlessPath?: string;
  stage?: string;
  /** Told about SQS requests of the event source pending for over 20 s (default: stderr). */
  onStall?: (line: string) => void;
  /**
   * Run every concurrent batch through one instance of the handler module, as the in-process
   * pipeline (local/pipeline.ts) does. By default each concurrent execution gets its own instance,
   * as each Lambda execution environment has its own module state.
   */
  sharedHandler?: boolean;
}

export interface AttachedRunner {
  /** One event source per execution environment. */
  sources: SqsEventSource[];
  environments: number;
  maxReceiveCount: number;
  stop(): Promise<void>;
}

/**
 * The ingest function of serverless.yml, run as Lambda's SQS integration would, against a stack
 * started elsewhere (another process): what startIngestPipeline does for an in-process stack,
 * rebuilt from the stack's local.json and serverless.yml. Lets the soak test kill the runner
 * without losing the queues. Concurrency is Lambda's: maximumConcurrency execution environments,
 * each with its own instance of the function module, each running one batch at a time.
 */
export async function attachIngestRunner(info: LocalStackInfo, options: AttachOptions = {}): Promise<AttachedRunner> {
  const config = loadServerlessConfig(options.serverlessPath ?? 'serverless.yml', { stage: options.stage ?? 'local', env: process.env });
  const fn = config.functions.ingest;
  const sqsEvent = fn.events.find((e: any) => e.sqs).sqs;
  const inboundId: string = sqsEvent.arn['Fn::GetAtt'][0];
  const maxReceiveCount = Number(config.resources.Resources[inboundId].Properties?.RedrivePolicy?.maxReceiveCount ?? Infinity);
  const sdkEnv = localSdkEnv(info);
  // A request the emulator never answers would stall a poller for good (the SDK has no default
  // timeout); time it out, so the poller logs it and carries on.
  const sqs = new SQSClient({ region: info.region, credentials: info.credentials, endpoint: info.endpoints.sqs, requestHandler: { requestTimeout: 30_000 } });
  watchPending(sqs, options.onStall ?? ((line) => process.stderr.write(`[runner] ${line}\n`)));
  const declared = await declaredFromInfo(config, info, sqs);

  const declaredEnv = { ...(config.provider.environment ?? {}), ...(fn.environment ?? {}) };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(declaredEnv)) {
    const resolved = intrinsicValue(value, declared);
    if (resolved !== undefined && resolved !== null && typeof resolved !== 'object') env[key] = String(resolved);
  }
  const functionName = `${config.service}-local-ingest`;
  const functionEnv = { ...env, ...sdkEnv, AWS_LAMBDA_FUNCTION_NAME: functionName, ...options.env };
  const maximumConcurrency = Number(sqsEvent.maximumConcurrency ?? 2);
  const environments = options.sharedHandler ? 1 : maximumConcurrency;

  const inbound = declared.get(inboundId)!;
  const sources: SqsEventSource[] = [];
  for (let i = 0; i < environments; i++) {
    const handler = await loadFunctionHandler<SqsHandler>(config, 'ingest', functionEnv, i);
    sources.push(
      new SqsEventSource({
        sqs,
        queueUrl: inbound.ref,
        queueArn: inbound.arn,
        region: info.region,
        functionName,
        timeoutSeconds: options.timeoutSeconds ?? Number(fn.timeout ?? config.provider.timeout ?? 6),
        memorySize: Number(fn.memorySize ?? 1024),
        batchSize: Number(sqsEvent.batchSize ?? 10),
        maximumBatchingWindowSeconds: Number(sqsEvent.maximumBatchingWindow ?? 0),
        // One batch at a time per execution environment, as Lambda does.
        maximumConcurrency: options.sharedHandler ? maximumConcurrency : 1,
        reportBatchItemFailures: sqsEvent.functionResponseType === 'ReportBatchItemFailures',
        handler,
        onBatch: options.onBatch,
      }),
    );
  }
  for (const source of sources) source.start();
  return { sources, environments, maxReceiveCount, stop: async () => void (await Promise.all(sources.map((s) => s.stop()))) };
}


/** The logical ids of serverless.yml mapped to what the running stack created for them. */
async function declaredFromInfo(config: ServerlessConfig, info: LocalStackInfo, sqs: SQSClient): Promise<Map<string, LocalResource>> {
  const declared = new Map<string, LocalResource>();
  for (const [logicalId, resource] of Object.entries<any>(config.resources?.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::SQS::Queue') {
      const url = [info.resources.queueUrl, info.resources.dlqUrl].find((u) => u.endsWith(`/${props.QueueName}`));
      if (!url) continue;
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      declared.set(logicalId, { logicalId, type: resource.Type, name: props.QueueName, arn: Attributes.QueueArn!, ref: url });
    } else if (resource.Type === 'AWS::DynamoDB::Table') {
      const name = info.resources.table;
      declared.set(logicalId, { logicalId, type: resource.Type, name, arn: `arn:aws:dynamodb:${info.region}:000000000000:table/${name}`, ref: name });
    } else if (resource.Type === 'AWS::S3::Bucket') {
      const name = info.resources.bucket;
      declared.set(logicalId, { logicalId, type: resource.Type, name, arn: `arn:aws:s3:::${name}`, ref: name });
    }
  }
  return declared;
}

/** Reports SQS commands still pending after 20 s: the runner's view of a stalled emulator. */
function watchPending(sqs: SQSClient, report: (line: string) => void): void {
  const pending = new Map<number, { command: string; started: number; reported?: boolean }>();
  let next = 0;
  sqs.middlewareStack.add(
    (handler, context) => async (args) => {
      const id = next++;
      pending.set(id, { command: context.commandName ?? 'command', started: Date.now() });
      try {
        return await handler(args);
      } finally {
        pending.delete(id);
      }
    },
    { step: 'initialize', name: 'callnotesSoakPendingWatch' },
  );
  setInterval(() => {
    for (const p of pending.values()) {
      if (!p.reported && Date.now() - p.started > 20_000) {
        p.reported = true;
        report(`SQS ${p.command} pending for ${Math.round((Date.now() - p.started) / 1000)} s`);
      }
    }
  }, 5_000).unref();
}
