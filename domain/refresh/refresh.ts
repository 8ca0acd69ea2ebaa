import { aggregate } from '../evaluation/metrics.ts';
import { evaluateDialogues } from '../evaluation/run.ts';
import { parseValidationRecords } from '../evaluation/validation-records.ts';
import { CustomizationRequestError, RefreshSettingsError } from './errors.ts';
import type { RefreshDeps } from './ports.ts';
import { datasetRef, decidePromotion, hyperParameterProblems, jobToken, newExamples, resourceName, scoresOf } from './policy.ts';
import {
  IN_FLIGHT_STATUSES,
  type ChampionPointer,
  type Evaluation,
  type ModelVersion,
  type RefreshReport,
  type RefreshSettings,
  type RefreshStep,
  type ServedModel,
  type ServingKind,
} from './types.ts';

/** What a line serves with no champion: the configured base model (version 0). */
export function baseModel(settings: Pick<RefreshSettings, 'servingModelId' | 'servingModelVersion'>): ServedModel {
  return { version: 0, modelId: settings.servingModelId, modelVersion: settings.servingModelVersion, mode: 'tool' };
}

export function servedBy(pointer: ChampionPointer | undefined, settings: Pick<RefreshSettings, 'servingModelId' | 'servingModelVersion'>): ServedModel {
  if (!pointer) return baseModel(settings);
  return { version: pointer.version, modelId: pointer.modelId, modelVersion: pointer.modelVersion, mode: pointer.mode };
}

export const versionId = (line: string, version: number) => `${line}-v${version}`;

const servingKind = (settings: RefreshSettings): ServingKind => (settings.family === 'nova' ? 'deployment' : 'provisioned');

/**
 * One pass of the refresh state machine for a model line (DESIGN §1). Every step reads the state it
 * acts on from the registry and from Bedrock, and every write is conditional, so a pass may be cut
 * at any point and run again: it picks up where the last one stopped, and the job token makes a
 * repeated start find the job it already started.
 *
 *   new dataset -> candidate -> training -> (awaiting-approval) -> evaluating -> champion | rejected
 *                                     \-> failed                          \-> failed
 */
export async function refreshLine(settings: RefreshSettings, deps: RefreshDeps): Promise<RefreshReport> {
  const problems = hyperParameterProblems(settings.family, settings.hyperParameters);
  if (problems.length > 0) throw new RefreshSettingsError(`refresh hyperparameters Bedrock would refuse: ${problems.join('; ')}`);
  const pass = new RefreshPass(settings, deps);
  return pass.run();
}

class RefreshPass {
  readonly steps: RefreshStep[] = [];
  pointer: ChampionPointer | undefined;

  constructor(
    readonly settings: RefreshSettings,
    readonly deps: RefreshDeps,
  ) {}

  say(action: string, reason: string, version?: ModelVersion): void {
    this.steps.push({ ...(version ? { version: version.id } : {}), action, reason });
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  async save(version: ModelVersion, change: Partial<ModelVersion>): Promise<ModelVersion> {
    return this.deps.registry.saveVersion({ ...version, ...change, updatedAt: this.now() });
  }

  async run(): Promise<RefreshReport> {
    const { line } = this.settings;
    this.pointer = await this.deps.registry.getChampion(line);
    let versions = await this.reconcile(await this.deps.registry.listVersions(line));

    const inFlight = versions.filter((v) => IN_FLIGHT_STATUSES.includes(v.status));
    for (const version of inFlight) await this.advance(version);

    versions = await this.deps.registry.listVersions(line);
    if (!versions.some((v) => IN_FLIGHT_STATUSES.includes(v.status))) await this.maybeStart(versions);

    versions = await this.deps.registry.listVersions(line);
    const open = versions.filter((v) => IN_FLIGHT_STATUSES.includes(v.status));
    const champion = servedBy(this.pointer, this.settings);
    if (this.steps.length === 0) this.say('idle', 'nothing to do');
    return { line, steps: this.steps, champion, pending: open.length > 0, awaitingApproval: open.some((v) => v.status === 'awaiting-approval') };
  }

  /** The pointer decides who is champion; statuses that a cut-short promotion or rollback left behind follow it. */
  async reconcile(versions: ModelVersion[]): Promise<ModelVersion[]> {
    const championVersion = this.pointer?.version ?? 0;
    const out: ModelVersion[] = [];
    for (const v of versions) {
      if (v.version === championVersion && v.status !== 'champion') {
        out.push(await this.save(v, { status: 'champion', promotedAt: v.promotedAt ?? this.pointer?.updatedAt, reason: this.pointer?.reason ?? v.reason }));
        this.say('reconcile', `the champion pointer names ${v.id}; its status was ${v.status}`, v);
      } else if (v.version !== championVersion && v.status === 'champion') {
        out.push(await this.save(v, { status: 'retired', retiredAt: this.now(), reason: `replaced by ${this.pointer?.modelVersion ?? 'the base model'}` }));
        this.say('reconcile', `${v.id} is no longer what the pointer names; retired`, v);
      } else {
        out.push(v);
      }
    }
    return out;
  }

  async maybeStart(versions: ModelVersion[]): Promise<void> {
    const { settings } = this;
    const datasets = (await this.deps.datasets.listDatasets()).filter((d) => d.family === settings.family);
    const newest = datasets[0];
    if (!newest) return this.say('idle', `no curated ${settings.family} dataset yet (npm run curate)`);
    const used = versions.find((v) => v.dataset.version === newest.version);
    if (used) return this.say('idle', `the newest dataset ${newest.version} was already used by ${used.id} (${used.status}); waiting for a newer one`);
    const dataset = datasetRef(newest);
    if (dataset.train === 0) return this.say('idle', `dataset ${newest.version} has no training records`);
    const championVersion = this.pointer?.version ?? 0;
    const championDataset = versions.find((v) => v.version === championVersion)?.dataset;
    const added = newExamples(dataset, championDataset);
    const against = championDataset ? `the champion's dataset ${championDataset.version} (${championDataset.records} records)` : 'the base model (no champion yet)';
    if (added < settings.minNewExamples) {
      return this.say('idle', `dataset ${dataset.version} adds ${added} records beyond ${against}; training needs at least ${settings.minNewExamples} (minNewExamples)`);
    }

    const number = Math.max(0, ...versions.map((v) => v.version)) + 1;
    const token = jobToken(settings.line, dataset.version);
    const name = resourceName(settings, number, token);
    const now = this.now();
    const candidate: ModelVersion = {
      line: settings.line,
      version: number,
      id: versionId(settings.line, number),
      status: 'candidate',
      family: settings.family,
      baseModelId: settings.baseModelId,
      dataset,
      hyperParameters: { ...settings.hyperParameters },
      job: { name, customModelName: name, clientRequestToken: token },
      reason: `dataset ${dataset.version} adds ${added} records beyond ${against} (minimum ${settings.minNewExamples})`,
      createdAt: now,
      updatedAt: now,
      revision: 0,
    };
    if (!(await this.deps.registry.createVersion(candidate))) {
      return this.say('skip', `another refresh pass created version ${number} first; it will carry on`);
    }
    this.say('candidate', candidate.reason, candidate);
    await this.advance(candidate);
  }

  async advance(start: ModelVersion): Promise<void> {
    let v = start;
    for (let guard = 0; guard < 8; guard += 1) {
      switch (v.status) {
        case 'candidate':
          v = await this.startTraining(v);
          if (v.status !== 'training') return;
          break;
        case 'training': {
          const next = await this.checkTraining(v);
          if (!next) return;
          v = next;
          break;
        }
        case 'awaiting-approval':
          return this.say('wait', `trained (${lossText(v)}); serving it needs provisioned throughput, billed hourly: approve with \`npm run models -- approve ${v.id}\` (or set autoProvision)`, v);
        case 'evaluating': {
          const next = await this.serveAndEvaluate(v);
          if (!next) return;
          v = next;
          break;
        }
        default:
          return;
      }
    }
  }

  async startTraining(v: ModelVersion): Promise<ModelVersion> {
    const { settings } = this;
    const validation = v.dataset.validation > 0 ? v.dataset.validationUri : undefined;
    try {
      const { jobArn } = await this.deps.customization.startJob({
        jobName: v.job.name,
        customModelName: v.job.customModelName,
        baseModelId: v.baseModelId,
        roleArn: settings.roleArn,
        clientRequestToken: v.job.clientRequestToken,
        trainingS3Uri: v.dataset.trainUri,
        ...(validation ? { validationS3Uri: validation } : {}),
        outputS3Uri: settings.outputS3Uri,
        hyperParameters: v.hyperParameters,
      });
      const saved = await this.save(v, { status: 'training', job: { ...v.job, arn: jobArn, status: 'InProgress' }, reason: `training on ${v.dataset.train} records${validation ? `, validating on ${v.dataset.validation}` : ' (no validation records: validation skipped)'}` });
      this.say('train', `CreateModelCustomizationJob ${v.job.name} -> ${jobArn} (base ${v.baseModelId}, ${v.dataset.train} train / ${validation ? v.dataset.validation : 0} validation records, hyperparameters ${JSON.stringify(v.hyperParameters)}, token ${v.job.clientRequestToken})`, v);
      return saved;
    } catch (error) {
      if (!(error instanceof CustomizationRequestError)) throw error;
      this.deps.metrics?.jobFailed(settings.line, error.code);
      this.say('failed', `Bedrock refused the job: ${error.code}: ${error.message}`, v);
      return this.save(v, { status: 'failed', reason: `job refused: ${error.code}: ${error.message}` });
    }
  }

  async checkTraining(v: ModelVersion): Promise<ModelVersion | undefined> {
    const job = await this.deps.customization.getJob(v.job.arn!);
    if (job.status === 'InProgress' || job.status === 'Stopping') {
      this.say('wait', `job ${v.job.arn} is ${job.status}`, v);
      if (v.job.status !== job.status) await this.save(v, { job: { ...v.job, status: job.status } });
      return undefined;
    }
    const finished = {
      ...v.job,
      status: job.status,
      ...(job.failureMessage ? { failureMessage: job.failureMessage } : {}),
      ...(job.outputModelArn ? { outputModelArn: job.outputModelArn } : {}),
      ...(job.trainingLoss !== undefined ? { trainingLoss: job.trainingLoss } : {}),
      ...(job.validationLoss !== undefined ? { validationLoss: job.validationLoss } : {}),
      endedAt: job.endTime ?? this.now(),
    };
    if (job.status !== 'Completed' || !job.outputModelArn) {
      const why = job.status === 'Completed' ? 'completed without a custom model ARN' : `${job.status}${job.failureMessage ? `: ${job.failureMessage}` : ''}`;
      this.deps.metrics?.jobFailed(this.settings.line, job.status);
      this.say('failed', `job ${v.job.arn} ${why}; nothing is promoted`, v);
      await this.save(v, { status: 'failed', job: finished, reason: `training ${why}` });
      return undefined;
    }
    const loss = lossText({ job: finished });
    if (this.settings.family === 'claude3' && !this.settings.autoProvision && !v.approval) {
      this.say('trained', `job completed (${loss}); custom model ${job.outputModelArn}; waiting for approval to buy provisioned throughput (autoProvision is off)`, v);
      return this.save(v, { status: 'awaiting-approval', job: finished, reason: `trained (${loss}); awaiting approval to provision` });
    }
    this.say('trained', `job completed (${loss}); custom model ${job.outputModelArn}`, v);
    return this.save(v, { status: 'evaluating', job: finished, reason: `trained (${loss}); serving it for evaluation` });
  }

  async serveAndEvaluate(v: ModelVersion): Promise<ModelVersion | undefined> {
    const { customization } = this.deps;
    const kind = servingKind(this.settings);
    if (!v.serving?.arn) {
      const name = v.job.name;
      try {
        const { arn } = await customization.createServing({ kind, name, modelArn: v.job.outputModelArn!, modelUnits: this.settings.modelUnits, clientRequestToken: `${v.job.clientRequestToken}-serve` });
        this.say('serve', kind === 'provisioned' ? `CreateProvisionedModelThroughput ${name} (${this.settings.modelUnits} model unit(s), no commitment) -> ${arn}` : `CreateCustomModelDeployment ${name} (on demand) -> ${arn}`, v);
        return this.save(v, { serving: { kind, name, arn, status: 'creating' }, reason: `serving through ${kind === 'provisioned' ? 'provisioned throughput' : 'an on-demand deployment'}` });
      } catch (error) {
        if (!(error instanceof CustomizationRequestError)) throw error;
        this.say('failed', `Bedrock refused to serve ${v.job.outputModelArn}: ${error.code}: ${error.message}`, v);
        await this.save(v, { status: 'failed', reason: `serving refused: ${error.code}: ${error.message}` });
        return undefined;
      }
    }
    if (v.serving.status === 'creating') {
      const state = await customization.getServing(v.serving.kind, v.serving.arn);
      if (state.status === 'creating') {
        this.say('wait', `${v.serving.arn} is still being created`, v);
        return undefined;
      }
      if (state.status === 'failed') {
        this.say('failed', `serving ${v.serving.arn} failed${state.message ? `: ${state.message}` : ''}`, v);
        await this.save(v, { status: 'failed', serving: { ...v.serving, status: 'failed', ...(state.message ? { message: state.message } : {}) }, reason: 'serving failed' });
        return undefined;
      }
      v = await this.save(v, { serving: { ...v.serving, status: 'ready' } });
    }
    await this.evaluate(v);
    return undefined;
  }

  /** Candidate and champion on the dataset's validation split, through the same prompt and model path as ingest and `npm run eval`. */
  async evaluate(v: ModelVersion): Promise<void> {
    const { settings, deps } = this;
    const championAtStart = this.pointer;
    const champion = servedBy(championAtStart, settings);
    const text = v.dataset.validation > 0 ? await deps.files.readText(v.dataset.validationUri) : '';
    const dialogues = parseValidationRecords(text).slice(0, settings.evalMaxRecords);
    if (dialogues.length === 0) {
      await this.reject(v, undefined, `dataset ${v.dataset.version} has no validation records to compare ${v.id} with ${champion.modelVersion} on`);
      return;
    }
    const measure = async (modelId: string, modelVersion: string) => {
      const outcomes = await evaluateDialogues(dialogues, deps.models.forModel(modelId, modelVersion), { callDate: '2000-01-01', concurrency: settings.evalConcurrency });
      return scoresOf(aggregate(outcomes, 'none'), modelId, modelVersion);
    };
    const candidateScores = await measure(v.serving!.arn!, v.id);
    const championScores = await measure(champion.modelId, champion.modelVersion);
    const verdict = decidePromotion(candidateScores, championScores, settings);
    const evaluation: Evaluation = {
      evaluatedAt: this.now(),
      records: dialogues.length,
      metric: settings.metric,
      margin: settings.margin,
      candidate: candidateScores,
      champion: championScores,
      decision: verdict.decision,
      reason: `${v.id} vs ${champion.version === 0 ? `the base model (${champion.modelId})` : champion.modelVersion} on ${dialogues.length} validation records: ${verdict.reason}`,
    };
    this.say('evaluate', evaluation.reason, v);
    if (verdict.decision === 'reject') {
      await this.reject(v, evaluation, evaluation.reason);
      return;
    }
    await this.promote(v, evaluation, championAtStart);
  }

  async reject(v: ModelVersion, evaluation: Evaluation | undefined, reason: string): Promise<void> {
    let serving = v.serving;
    if (serving?.arn && serving.status !== 'deleted') {
      // A rejected candidate is never served again: stop paying for its throughput.
      await this.deps.customization.deleteServing(serving.kind, serving.arn);
      serving = { ...serving, status: 'deleted' };
      this.say('release', `deleted ${serving.arn} (rejected candidates are not kept serving)`, v);
    }
    await this.save(v, { status: 'rejected', ...(evaluation ? { evaluation } : {}), ...(serving ? { serving } : {}), reason });
    this.deps.metrics?.rejected(this.settings.line);
    this.say('reject', reason, v);
  }

  async promote(v: ModelVersion, evaluation: Evaluation, championAtStart: ChampionPointer | undefined): Promise<void> {
    const previous = servedBy(championAtStart, this.settings);
    const now = this.now();
    const pointer: ChampionPointer = {
      line: this.settings.line,
      version: v.version,
      modelId: v.serving!.arn!,
      modelVersion: v.id,
      mode: 'json-text',
      previous: [previous, ...(championAtStart?.previous ?? [])].slice(0, 20),
      updatedAt: now,
      reason: `promoted: ${evaluation.reason}`,
      revision: (championAtStart?.revision ?? 0) + 1,
    };
    // Conditional on the champion the candidate was measured against: a rollback meanwhile makes this
    // throw, and the next pass measures again against the new champion.
    this.pointer = await this.deps.registry.putChampion(pointer, championAtStart?.revision);
    await this.save(v, { status: 'champion', evaluation, promotedAt: now, reason: pointer.reason });
    if (previous.version > 0) {
      const old = await this.deps.registry.getVersion(this.settings.line, previous.version);
      if (old?.status === 'champion') await this.save(old, { status: 'retired', retiredAt: now, reason: `replaced by ${v.id}` });
    }
    this.deps.metrics?.promoted(this.settings.line);
    this.say('promote', `${v.id} (${pointer.modelId}) is the champion; it replaces ${previous.modelVersion} (${previous.modelId}); ingest picks it up within the pointer cache TTL`, v);
  }
}

function lossText(v: Pick<ModelVersion, 'job'>): string {
  const parts = [];
  if (v.job.trainingLoss !== undefined) parts.push(`training loss ${v.job.trainingLoss}`);
  if (v.job.validationLoss !== undefined) parts.push(`validation loss ${v.job.validationLoss}`);
  return parts.join(', ') || 'no loss reported';
}
