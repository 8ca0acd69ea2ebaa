import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockClient,
  ConflictException,
  CreateModelCustomizationJobCommand,
  CreateProvisionedModelThroughputCommand,
  GetCustomModelCommand,
  GetModelCustomizationJobCommand,
  GetProvisionedModelThroughputCommand,
  ListModelCustomizationJobsCommand,
  ResourceNotFoundException,
  StopModelCustomizationJobCommand,
  ValidationException,
  type CreateModelCustomizationJobCommandInput,
  type GetModelCustomizationJobCommandOutput,
} from '@aws-sdk/client-bedrock';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ModelNotReadyException,
  ResourceNotFoundException as RuntimeResourceNotFoundException,
  ValidationException as RuntimeValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallNotesSchema } from '../../domain/notes.ts';
import { renderPrompt } from '../../domain/prompt.ts';
import { startBedrockEmulator, type BedrockEmulator } from '../../local/bedrock/server.ts';
import { STAR_TASKS, starSplit, toJsonl, toNovaRecord } from '../fixtures/tuning/star-dialogues.ts';

const REGION = 'us-west-2';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET = 'tuning';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0:200k';
const ROLE = 'arn:aws:iam::000000000000:role/callnotes-bedrock-tuning';

const { train, heldOut } = starSplit();

describe('Bedrock emulator control plane (real @aws-sdk/client-bedrock against s3rver)', () => {
  let s3rver: S3rver;
  let s3Dir: string;
  let emulator: BedrockEmulator;
  let bedrock: BedrockClient;
  let runtime: BedrockRuntimeClient;
  let s3: S3Client;

  const jobInput = (name: string, overrides: Partial<CreateModelCustomizationJobCommandInput> = {}): CreateModelCustomizationJobCommandInput => ({
    jobName: name,
    customModelName: `${name}-model`,
    roleArn: ROLE,
    baseModelIdentifier: HAIKU,
    customizationType: 'FINE_TUNING',
    trainingDataConfig: { s3Uri: `s3://${BUCKET}/datasets/v1/train.jsonl` },
    validationDataConfig: { validators: [{ s3Uri: `s3://${BUCKET}/datasets/v1/validation.jsonl` }] },
    outputDataConfig: { s3Uri: `s3://${BUCKET}/output/${name}/` },
    hyperParameters: { epochCount: '2', batchSize: '8', learningRateMultiplier: '1' },
    ...overrides,
  });

  async function pollJob(jobArn: string, done: (status: string) => boolean): Promise<GetModelCustomizationJobCommandOutput> {
    for (let i = 0; i < 200; i += 1) {
      const job = await bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: jobArn }));
      if (done(job.status ?? '')) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${jobArn} did not settle`);
  }

  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'callnotes-s3-'));
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, resetOnClose: true, vhostBuckets: false });
    const { port } = await s3rver.run();
    const s3Options = { endpoint: `http://127.0.0.1:${port}`, region: REGION, credentials: CREDENTIALS, forcePathStyle: true as const };
    s3 = new S3Client({ ...s3Options, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    emulator = await startBedrockEmulator({ port: 0, s3: s3Options, controlPlane: { minJobDurationMs: 300, provisioningDelayMs: 300 } });
    const clientOptions = { endpoint: emulator.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    bedrock = new BedrockClient(clientOptions);
    runtime = new BedrockRuntimeClient(clientOptions);

    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await put('datasets/v1/train.jsonl', toJsonl(train.map((d) => d.record)));
    await put('datasets/v1/validation.jsonl', toJsonl(heldOut.map((d) => d.record)));
  });

  afterAll(async () => {
    bedrock?.destroy();
    runtime?.destroy();
    s3?.destroy();
    await emulator?.close();
    await s3rver?.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  describe('Method: CreateModelCustomizationJob', () => {
    let completed: GetModelCustomizationJobCommandOutput;

    beforeAll(async () => {
      const { jobArn } = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-v1', { clientRequestToken: 'star-v1-token' })));
      const first = await bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: jobArn! }));
      expect(first.status).toBe('InProgress');
      completed = await pollJob(jobArn!, (s) => s !== 'InProgress');
    });

    it('trains to Completed with metrics, a custom model ARN and timestamps', () => {
      // Assess
      expect(completed.failureMessage).toBeUndefined();
      expect(completed.status).toBe('Completed');
      expect(completed.jobArn).toMatch(new RegExp(`^arn:aws:bedrock:${REGION}:000000000000:model-customization-job/${HAIKU}/[a-z0-9]{12}$`));
      expect(completed.outputModelArn).toMatch(new RegExp(`^arn:aws:bedrock:${REGION}:000000000000:custom-model/${HAIKU}/[a-z0-9]{12}$`));
      expect(completed.outputModelName).toBe('star-v1-model');
      expect(completed.baseModelArn).toBe(`arn:aws:bedrock:${REGION}::foundation-model/${HAIKU}`);
      expect(completed.trainingMetrics?.trainingLoss).toBeGreaterThanOrEqual(0);
      expect(completed.validationMetrics?.[0]?.validationLoss).toBeLessThan(Math.LN2);
      expect(completed.creationTime).toBeInstanceOf(Date);
      expect(completed.endTime!.getTime()).toBeGreaterThanOrEqual(completed.creationTime!.getTime() + 300);
      expect(completed.hyperParameters).toMatchObject({ epochCount: '2', batchSize: '8', earlyStoppingPatience: '2' });
    });

    it('writes Bedrock-style metrics files and the trained model to the output prefix', async () => {
      // Prepare
      const jobId = completed.jobArn!.split('/').pop();
      const prefix = `output/star-v1/model-customization-job-${jobId}`;
      const read = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

      // Act
      const training = await read(`${prefix}/training_artifacts/step_wise_training_metrics.csv`);
      const validation = await read(`${prefix}/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv`);
      const model = JSON.parse(await read(`${prefix}/emulator_artifacts/trained_model.json`));

      // Assess
      const trainingRows = training.trim().split('\n');
      expect(trainingRows[0]).toBe('step_number,epoch_number,training_loss,perplexity');
      expect(trainingRows).toHaveLength(1 + 2 * Math.ceil(train.length / 8));
      expect(validation.trim().split('\n')).toHaveLength(3);
      expect(validation.split('\n')[0]).toBe('step_number,epoch_number,validation_loss,perplexity');
      expect(model.topicLabels).toEqual([...STAR_TASKS].sort());
    });

    it('returns the same job for the same clientRequestToken', async () => {
      // Act
      const again = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-v1-retry', { clientRequestToken: 'star-v1-token' })));

      // Assess
      expect(again.jobArn).toBe(completed.jobArn);
      const list = await bedrock.send(new ListModelCustomizationJobsCommand({ nameContains: 'star-v1' }));
      expect(list.modelCustomizationJobSummaries?.map((j) => j.jobName)).toEqual(['star-v1']);
    });

    it('finds the job by name and describes its custom model', async () => {
      // Act
      const byName = await bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: 'star-v1' }));
      const model = await bedrock.send(new GetCustomModelCommand({ modelIdentifier: completed.outputModelArn! }));

      // Assess
      expect(byName.jobArn).toBe(completed.jobArn);
      expect(model).toMatchObject({ modelName: 'star-v1-model', jobArn: completed.jobArn, modelStatus: 'Active' });
    });

    it('throws ConflictException for a job name in use', async () => {
      // Act & assess
      await expect(bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-v1', { customModelName: 'other-model' })))).rejects.toBeInstanceOf(ConflictException);
    });

    it('throws ValidationException for an out-of-range hyperparameter or an unsupported base model', async () => {
      // Act & assess
      await expect(bedrock.send(new CreateModelCustomizationJobCommand(jobInput('bad-hp', { hyperParameters: { epochCount: '11' } })))).rejects.toBeInstanceOf(ValidationException);
      await expect(bedrock.send(new CreateModelCustomizationJobCommand(jobInput('bad-base', { baseModelIdentifier: 'anthropic.claude-3-sonnet-20240229-v1:0' })))).rejects.toBeInstanceOf(ValidationException);
    });

    it('throws ResourceNotFoundException for an unknown job', async () => {
      // Act & assess
      await expect(bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: 'no-such-job' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('Method: CreateModelCustomizationJob with bad data', () => {
    it('ends Failed naming the file and line of a malformed record', async () => {
      // Prepare
      const lines = train.slice(0, 20).map((d) => d.record);
      const broken = toJsonl([...lines.slice(0, 6), { ...lines[6]!, messages: [lines[6]!.messages[0], { ...lines[6]!.messages[1], role: 'user' }] }, ...lines.slice(7)]);
      await put('datasets/broken/train.jsonl', broken);

      // Act
      const { jobArn } = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-broken', { trainingDataConfig: { s3Uri: `s3://${BUCKET}/datasets/broken/train.jsonl` }, validationDataConfig: undefined })));
      const job = await pollJob(jobArn!, (s) => s !== 'InProgress');

      // Assess
      expect(job.status).toBe('Failed');
      expect(job.failureMessage).toBe('train.jsonl line 7: messages[1].role must be assistant');
      expect(job.outputModelArn).toBeUndefined();
    });

    it('trains a Nova model on bedrock-conversation-2024 records and rejects Claude records for it', async () => {
      // Prepare
      await put('datasets/nova/train.jsonl', toJsonl(train.map((d) => toNovaRecord(d.record))));
      const nova = { baseModelIdentifier: 'amazon.nova-lite-v1:0:300k', validationDataConfig: undefined, hyperParameters: { epochCount: '1' } };

      // Act
      const ok = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-nova', { ...nova, trainingDataConfig: { s3Uri: `s3://${BUCKET}/datasets/nova/train.jsonl` } })));
      const wrong = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-nova-wrong', nova)));
      const [okJob, wrongJob] = await Promise.all([ok, wrong].map((j) => pollJob(j.jobArn!, (s) => s !== 'InProgress')));

      // Assess
      expect(okJob!.status).toBe('Completed');
      expect(wrongJob!.status).toBe('Failed');
      expect(wrongJob!.failureMessage).toMatch(/^train\.jsonl line 1: unexpected key "schemaVersion"|^train\.jsonl line 1: schemaVersion must be/);
    });
  });

  describe('Method: StopModelCustomizationJob', () => {
    it('stops a running job', async () => {
      // Prepare
      const { jobArn } = await bedrock.send(new CreateModelCustomizationJobCommand(jobInput('star-stop')));

      // Act
      await bedrock.send(new StopModelCustomizationJobCommand({ jobIdentifier: jobArn! }));
      const job = await pollJob(jobArn!, (s) => s === 'Stopped' || s === 'Completed' || s === 'Failed');

      // Assess
      expect(job.status).toBe('Stopped');
      expect(job.outputModelArn).toBeUndefined();
      await expect(bedrock.send(new StopModelCustomizationJobCommand({ jobIdentifier: jobArn! }))).rejects.toBeInstanceOf(ValidationException);
    });
  });

  describe('Method: CreateProvisionedModelThroughput + Converse', () => {
    it('serves the trained model once InService, with trained topic labels', async () => {
      // Prepare
      const job = await pollJob('star-v1', (s) => s !== 'InProgress');
      const { provisionedModelArn } = await bedrock.send(new CreateProvisionedModelThroughputCommand({ modelUnits: 1, provisionedModelName: 'star-v1-pt', modelId: job.outputModelArn! }));
      const dialogue = heldOut.find((d) => d.labels.length === 1)!;
      const prompt = renderPrompt(dialogue.transcript, { callDate: dialogue.callDate, mode: 'json-text' });
      const converse = (modelId: string) =>
        runtime.send(new ConverseCommand({ modelId, system: [{ text: prompt.system }], messages: [{ role: 'user', content: [{ text: prompt.messages[0]!.text }] }] }));

      // Act
      const creating = await bedrock.send(new GetProvisionedModelThroughputCommand({ provisionedModelId: provisionedModelArn! }));
      await expect(converse(provisionedModelArn!)).rejects.toBeInstanceOf(ModelNotReadyException);
      let status = creating.status;
      while (status === 'Creating') {
        await new Promise((r) => setTimeout(r, 50));
        status = (await bedrock.send(new GetProvisionedModelThroughputCommand({ provisionedModelId: 'star-v1-pt' }))).status;
      }
      const response = await converse(provisionedModelArn!);

      // Assess
      expect(creating).toMatchObject({ status: 'Creating', modelArn: job.outputModelArn, modelUnits: 1 });
      expect(status).toBe('InService');
      const notes = CallNotesSchema.parse(JSON.parse(response.output?.message?.content?.[0]?.text ?? ''));
      expect(notes.topics[0]).toBe(dialogue.labels[0]);
      for (const t of notes.topics) expect(STAR_TASKS).toContain(t);
    });

    it('refuses a custom model ARN without provisioned throughput, and unknown ARNs', async () => {
      // Prepare
      const job = await pollJob('star-v1', (s) => s !== 'InProgress');
      const input = (modelId: string) => new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Customer: where is my parcel?' }] }] });

      // Act & assess
      await expect(runtime.send(input(job.outputModelArn!))).rejects.toBeInstanceOf(RuntimeValidationException);
      await expect(runtime.send(input(`arn:aws:bedrock:${REGION}:000000000000:provisioned-model/zzzzzzzzzzzz`))).rejects.toBeInstanceOf(RuntimeResourceNotFoundException);
      await expect(runtime.send(input(`arn:aws:bedrock:${REGION}:000000000000:custom-model/${HAIKU}/zzzzzzzzzzzz`))).rejects.toBeInstanceOf(RuntimeResourceNotFoundException);
      const base = await runtime.send(input('anthropic.claude-3-haiku-20240307-v1:0'));
      expect(base.stopReason).toBe('end_turn');
    });
  });
});
