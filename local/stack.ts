import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';
import S3rver from 's3rver';
import type { LocalStackSettings } from '#adapters/config.ts';
import { createLocalKeys, LOCAL_AUDIENCE, LOCAL_ISSUER } from './auth.ts';
import { loadFunctionHandler } from './functions.ts';
import { startHttpApi, type HttpHandler } from './http-api.ts';
import { lambdaContext } from './sqs-event-source.ts';
import { startBedrockEmulator, type BedrockEmulator, type FaultConfig } from './bedrock/server.ts';
import { createDeclaredResources, intrinsicValue, type LocalResource } from './resources.ts';
import { installConditionalWrites } from './s3-conditional-writes.ts';
import { S3MemoryStore } from './s3-memory-store.ts';
import { loadServerlessConfig, type ServerlessConfig } from './serverless-config.ts';

/** Settings for a stack on free ports and its own state folder, so it never collides with a running `npm start`. */
export function freePortsEnv(stateDir: string): Record<string, string> {
  return {
    CALLNOTES_SQS_PORT: '0',
    CALLNOTES_DYNAMODB_PORT: '0',
    CALLNOTES_S3_PORT: '0',
    CALLNOTES_BEDROCK_PORT: '0',
    CALLNOTES_API_PORT: '0',
    CALLNOTES_STATE_DIR: stateDir,
  };
}

/** One credential pair for every emulator: s3rver accepts only this pair unless told otherwise. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalStackInfo {
  region: string;
  credentials: typeof LOCAL_CREDENTIALS;
  endpoints: { sqs: string; dynamodb: string; s3: string; bedrock: string; api: string };
  resources: { queueUrl: string; dlqUrl: string; table: string; bucket: string };
  /** The local stand-in for the Cognito user pool: `npm run token` signs with the key in keyFile. */
  auth: { issuer: string; audience: string; keyFile: string };
}

export interface LocalStack extends LocalStackInfo {
  config: ServerlessConfig;
  declared: Map<string, LocalResource>;
  bedrock: BedrockEmulator;
  clients: { sqs: SQSClient; dynamodb: DynamoDBClient; s3: S3Client };
  /** Environment a function of serverless.yml runs with here: its declared variables plus endpoints. */
  functionEnv(name: string): Record<string, string>;
  close(): Promise<void>;
}

export interface StartOptions {
  settings: LocalStackSettings;
  serverlessPath?: string;
  faults?: Partial<FaultConfig>;
  /** Write endpoints and resources to <stateDir>/local.json for other tools. */
  writeStateFile?: boolean;
  /** Serves non-API paths of the HTTP API port (the review console). */
  staticSite?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean;
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Removes `<pid>-*` folders of processes that no longer run (a stack killed before it closed). */
function removeOrphanedDirs(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processRuns(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The local S3: s3rver with S3's conditional PutObject (If-None-Match), its objects in memory for
 * the life of the stack as dynalite's items are (S3MemoryStore), or as files in a folder under
 * CALLNOTES_S3_DIR (s3rver's file store) for a user who wants to look at them while it runs.
 */
async function startLocalS3(settings: LocalStackSettings): Promise<{ port: number; close: () => Promise<void> }> {
  let directory: string | undefined;
  if (settings.s3Dir) {
    mkdirSync(settings.s3Dir, { recursive: true, mode: 0o700 });
    removeOrphanedDirs(settings.s3Dir);
    directory = mkdtempSync(join(settings.s3Dir, `${process.pid}-`));
  }
  const s3 = new S3rver({ port: settings.ports.s3, address: settings.host, silent: true, resetOnClose: true, vhostBuckets: false, ...(directory ? { directory } : {}) });
  if (!directory) S3MemoryStore.install(s3);
  installConditionalWrites(s3);
  const { port } = await s3.run();
  return {
    port,
    close: async () => {
      await s3.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function startLocalStack(options: StartOptions): Promise<LocalStack> {
  const { settings } = options;
  const { host } = settings;
  const config = loadServerlessConfig(options.serverlessPath ?? 'serverless.yml', { stage: settings.stage, env: settings.env });
  const region: string = config.provider.region ?? 'us-west-2';
  const closers: (() => Promise<void>)[] = [];
  const url = (port: number) => `http://${host}:${port}`;

  try {
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamoPort = await listen(dynamo, settings.ports.dynamodb, host);
    closers.push(() => close(dynamo));

    const sqsServer = await createSqsServer({ port: settings.ports.sqs, hostname: host, region, accountId: '000000000000', emulateQueueCreationLifecycle: false });
    const sqsPort = (sqsServer.address() as { port: number }).port;
    closers.push(() => close(sqsServer));

    const s3 = await startLocalS3(settings);
    closers.push(s3.close);

    const bedrock = await startBedrockEmulator({
      port: settings.ports.bedrock,
      host,
      region,
      faults: options.faults,
      // Customization jobs read their training data from, and write metrics to, the local bucket.
      s3: { endpoint: url(s3.port), region, credentials: LOCAL_CREDENTIALS, forcePathStyle: true },
    });
    closers.push(() => bedrock.close());

    const partialEndpoints = { sqs: url(sqsPort), dynamodb: url(dynamoPort), s3: url(s3.port), bedrock: url(bedrock.port) };
    const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
    const clients = {
      sqs: new SQSClient({ ...clientConfig, endpoint: partialEndpoints.sqs }),
      dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: partialEndpoints.dynamodb }),
      s3: new S3Client({ ...clientConfig, endpoint: partialEndpoints.s3, forcePathStyle: true }),
    };
    const declared = await createDeclaredResources(config, clients);
    const resources = pickResources(config, declared);

    const sdkEnv: Record<string, string> = {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: partialEndpoints.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: partialEndpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: partialEndpoints.s3,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: partialEndpoints.bedrock,
      AWS_ENDPOINT_URL_BEDROCK: partialEndpoints.bedrock,
      // s3rver predates flexible checksums and bucket subdomains.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      CALLNOTES_S3_FORCE_PATH_STYLE: 'true',
    };

    const functionEnv = (name: string): Record<string, string> => {
      const fn = config.functions?.[name];
      if (!fn) throw new Error(`serverless.yml declares no function "${name}"`);
      const declaredEnv = { ...(config.provider.environment ?? {}), ...(fn.environment ?? {}) };
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(declaredEnv)) {
        const resolved = intrinsicValue(value, declared);
        if (resolved !== undefined && resolved !== null && typeof resolved !== 'object') env[key] = String(resolved);
      }
      return {
        ...env,
        ...sdkEnv,
        // EMF metrics would go to stdout with no CloudWatch to read them; set it to false to see them.
        POWERTOOLS_METRICS_DISABLED: settings.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
        AWS_LAMBDA_FUNCTION_NAME: `${config.service}-${settings.stage}-${name}`,
      };
    };

    mkdirSync(settings.stateDir, { recursive: true });
    const keyFile = join(settings.stateDir, 'local-jwt.json');
    const keys = await createLocalKeys(keyFile);
    closers.push(async () => rmSync(keyFile, { force: true }));
    const handlers = new Map<string, Promise<HttpHandler>>();
    const api = await startHttpApi({
      host,
      port: settings.ports.api,
      config,
      keys,
      loadHandler: (name) => {
        if (!handlers.has(name)) handlers.set(name, loadFunctionHandler<HttpHandler>(config, name, functionEnv(name)));
        return handlers.get(name)!;
      },
      context: (name) => lambdaContext(`${config.service}-${settings.stage}-${name}`, region, Number(config.functions[name]?.memorySize ?? 1024), () => Number(config.functions[name]?.timeout ?? 6) * 1000),
      fallback: options.staticSite,
    });
    closers.push(() => close(api.server));

    const endpoints = { ...partialEndpoints, api: url(api.port) };
    const auth = { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, keyFile };
    const info: LocalStackInfo = { region, credentials: LOCAL_CREDENTIALS, endpoints, resources, auth };
    if (options.writeStateFile) {
      writeFileSync(join(settings.stateDir, 'local.json'), `${JSON.stringify(info, null, 2)}\n`);
      closers.push(async () => rmSync(join(settings.stateDir, 'local.json'), { force: true }));
    }

    return {
      ...info,
      config,
      declared,
      bedrock,
      clients,
      functionEnv,
      close: async () => {
        for (const c of [...closers].reverse()) await c().catch(() => {});
      },
    };
  } catch (error) {
    for (const c of [...closers].reverse()) await c().catch(() => {});
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const port = (error as { port?: number }).port;
      throw new Error(`port ${port ?? ''} is in use: is another callnotes stack running? Stop it, or choose other ports (CALLNOTES_SQS_PORT, CALLNOTES_DYNAMODB_PORT, CALLNOTES_S3_PORT, CALLNOTES_BEDROCK_PORT, CALLNOTES_API_PORT)`, { cause: error });
    }
    throw error;
  }
}

/** The inbound queue is the one the ingest function listens to; its DLQ is where it redrives. */
function pickResources(config: ServerlessConfig, declared: Map<string, LocalResource>): LocalStackInfo['resources'] {
  const sqsEvent = (config.functions?.ingest?.events ?? []).find((e: any) => e.sqs)?.sqs;
  const inboundId: string | undefined = sqsEvent?.arn?.['Fn::GetAtt']?.[0];
  const inbound = inboundId ? declared.get(inboundId) : undefined;
  if (!inbound) throw new Error('serverless.yml: the ingest function has no sqs event on a queue declared in resources');
  const dlqId = config.resources.Resources[inbound.logicalId].Properties?.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
  const byType = (type: string) => [...declared.values()].find((r) => r.type === type);
  return {
    queueUrl: inbound.ref,
    dlqUrl: declared.get(dlqId)?.ref ?? '',
    table: byType('AWS::DynamoDB::Table')?.name ?? '',
    bucket: byType('AWS::S3::Bucket')?.name ?? '',
  };
}
