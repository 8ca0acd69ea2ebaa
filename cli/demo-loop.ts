import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { loadCurationConfig, loadLocalStackSettings } from '#adapters/config.ts';
import { buildCurationDeps } from '#adapters/dataset-store.ts';
import { DynamoDbRatingStore } from '#adapters/dynamodb-rating-store.ts';
import { buildIngestDeps, buildModelRegistry, buildRefreshDeps } from '#adapters/runtime.ts';
import { renderComparison, renderReport } from '#cli/refresh/render.ts';
import { targetRefreshSettings } from '#cli/refresh/target-settings.ts';
import { findTarget, localSdkEnv, useTarget, type Target } from '#cli/target.ts';
import { curateDataset, historyCallId, importHistoryDialogue, parseHistoryLine, type HistoryDialogue } from '#domain/curation/index.ts';
import { parseDialogues, type EvalDialogue } from '#domain/evaluation/dialogues.ts';
import { aggregate } from '#domain/evaluation/metrics.ts';
import { evaluateDialogues } from '#domain/evaluation/run.ts';
import { approveVersion, listModelLine, refreshLine, scoresOf, type ModelScores, type RefreshDeps, type ServedModel } from '#domain/refresh/index.ts';
import { startLocalStack, type LocalStack } from '#local/stack.ts';
import { STAR_TASKS, starDialogues } from '../test/fixtures/tuning/star-dialogues.ts';
import { positiveInt } from '#cli/options.ts';

interface DemoOptions {
  input?: string;
  eval?: string;
  count: number;
  evalCount: number;
  minNewExamples: number;
  approve: boolean;
  timeout: number;
}

const program = new Command('demo:loop')
  .description('The tuning loop end to end on the local stack: imports labelled history, curates a dataset, refreshes (trains, serves, evaluates, promotes) and prints the champion before and after on held-out dialogues. Uses the running local stack, or starts one in-process.')
  .option('--input <file.jsonl>', 'labelled dialogues to import (default: project-made STAR-like support calls, test/fixtures/tuning/star-dialogues.ts)')
  .option('--eval <file.jsonl>', 'held-out dialogues for the before/after table (default: more generated dialogues, another seed)')
  .option('--count <n>', 'generated dialogues to import when no --input', positiveInt, 150)
  .option('--eval-count <n>', 'generated held-out dialogues when no --eval', positiveInt, 50)
  .option('--min-new-examples <n>', 'records a dataset must add before a job starts (CALLNOTES_REFRESH_MIN_NEW_EXAMPLES for this run)', positiveInt, 10)
  .option('--no-approve', 'stop when the trained version awaits approval instead of approving it as the demo operator')
  .option('--timeout <seconds>', 'give up on the refresh after this long', positiveInt, 300)
  .showHelpAfterError();

/** The generated dialogues in the history/eval line shape: topics are the task labels. */
function generatedLines(count: number, seed: number): string[] {
  return starDialogues({ count, seed }).map((d) =>
    JSON.stringify({
      id: d.callId,
      turns: d.transcript.turns.map((t) => ({ speaker: t.role, text: t.text })),
      reference: { summary: null, topics: d.labels, actions: [] },
      source: 'callnotes project fixture (test/fixtures/tuning/star-dialogues.ts)',
      meta: { startedAt: `${d.callDate}T10:00:00Z`, tasks: STAR_TASKS },
    }),
  );
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(options: DemoOptions): Promise<number> {
  const inputLines = options.input ? readFileSync(options.input, 'utf8').split(/\r?\n/) : generatedLines(options.count, 20251101);
  const evalText = options.eval ? readFileSync(options.eval, 'utf8') : generatedLines(options.evalCount, 4242).join('\n');
  const history = inputLines.map((raw, i) => parseHistoryLine(raw, i + 1)).filter((d): d is HistoryDialogue => d !== undefined);
  const held: EvalDialogue[] = parseDialogues(evalText);
  say(`demo:loop: ${history.length} labelled dialogues to import (${options.input ?? 'generated STAR-like calls'}); ${held.length} held out for evaluation (${options.eval ?? 'generated, another seed'})`);

  let target = await findTarget();
  let stack: LocalStack | undefined;
  if (!target) {
    const stateDir = mkdtempSync(join(tmpdir(), 'callnotes-demo-'));
    stack = await startLocalStack({
      settings: loadLocalStackSettings({ ...process.env, CALLNOTES_SQS_PORT: '0', CALLNOTES_DYNAMODB_PORT: '0', CALLNOTES_S3_PORT: '0', CALLNOTES_BEDROCK_PORT: '0', CALLNOTES_API_PORT: '0', CALLNOTES_STATE_DIR: stateDir }),
    });
    target = { kind: 'local', label: `in-process local stack (${stack.endpoints.bedrock})`, region: stack.region, resources: stack.resources, modelId: stack.functionEnv('ingest').CALLNOTES_MODEL_ID!, sdkEnv: localSdkEnv(stack), local: stack };
    say('demo:loop: no running stack found (.callnotes/local.json); started one in-process for this run');
  }
  try {
    return await loop(target, history, held, options);
  } finally {
    await stack?.close();
  }
}

async function loop(target: Target, history: HistoryDialogue[], held: EvalDialogue[], options: DemoOptions): Promise<number> {
  useTarget(target);
  process.env.CALLNOTES_REFRESH_MIN_NEW_EXAMPLES = String(options.minNewExamples);
  const { config, settings } = targetRefreshSettings(target);
  const refreshDeps = buildRefreshDeps(config);
  const registry = buildModelRegistry(config);
  const clock = { now: () => new Date() };
  const measure = async (served: ServedModel): Promise<ModelScores> => {
    const outcomes = await evaluateDialogues(held, refreshDeps.models.forModel(served.modelId, served.modelVersion), { callDate: clock.now().toISOString().slice(0, 10), concurrency: 4 });
    return scoresOf(aggregate(outcomes, 'none'), served.modelId, served.modelVersion);
  };

  const before = (await listModelLine(settings, { registry })).champion;
  say(`\n1. champion before: ${before.modelVersion} (${before.modelId}); measuring it on the ${held.length} held-out dialogues`);
  const beforeScores = await measure(before);

  say(`\n2. importing ${history.length} labelled dialogues through ingest (notes by the champion, labels as supervisor corrections)`);
  const importDeps = { ingest: buildIngestDeps(config), ratings: new DynamoDbRatingStore(config.tableName, new DynamoDBClient({ region: config.region })), clock };
  let imported = 0;
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < history.length) {
        const dialogue = history[next++]!;
        const result = await importHistoryDialogue(dialogue, importDeps, { raterId: 'supervisor-demo', agentId: 'history-demo', comment: 'demo:loop import' }).catch((error: Error) => ({ status: 'rejected' as const, callId: historyCallId(dialogue.id), reason: error.name, message: error.message }));
        if (result.status === 'imported') imported += 1;
        else failures.push(`${result.callId}: ${result.reason}: ${result.message}`);
      }
    }),
  );
  say(`   ${imported} imported, ${failures.length} failed${failures[0] ? ` (first: ${failures[0]})` : ''}`);

  say('\n3. curating the new ratings into a dataset version');
  const curation = await curateDataset({}, buildCurationDeps(config), { family: settings.family, ...loadCurationConfig() });
  if (curation.status === 'empty') {
    say(`   nothing to curate in ${curation.window.from} .. ${curation.window.to} (already curated?); the refresh decides on the newest dataset`);
  } else {
    const d = curation.dataset;
    say(`   ${curation.status} ${d.version}: ${d.counts.train} train + ${d.counts.validation} validation records (${d.counts.considered} calls considered)`);
  }

  say(`\n4. refresh passes (minNewExamples ${settings.minNewExamples}, ${settings.metric} margin ${settings.margin}, autoProvision ${settings.autoProvision})`);
  const deadline = Date.now() + options.timeout * 1000;
  let lastWaits = new Set<string>();
  for (;;) {
    const report = await refreshLine(settings, refreshDeps as RefreshDeps);
    // The same "still running" line every half second says nothing new: print it once.
    const waits = new Set(report.steps.filter((s) => s.action === 'wait').map((s) => `${s.version} ${s.reason}`));
    const fresh = report.steps.filter((s) => s.action !== 'wait' || !lastWaits.has(`${s.version} ${s.reason}`));
    lastWaits = waits;
    if (fresh.length > 0) say(renderReport({ ...report, steps: fresh, pending: false, awaitingApproval: false }, target.label).split('\n').slice(1).join('\n'));
    if (report.awaitingApproval) {
      if (!options.approve) {
        say('   a trained version awaits approval (--no-approve): stopping here');
        break;
      }
      const waiting = (await listModelLine(settings, { registry })).versions.find((v) => v.status === 'awaiting-approval')!;
      const approved = await approveVersion(waiting.id, 'demo-operator', settings, { registry, clock });
      say(`   approved ${approved.id} as the demo operator (provisioned throughput is billed hourly on AWS)`);
      continue;
    }
    if (!report.pending) break;
    if (Date.now() > deadline) {
      say(`   still in flight after ${options.timeout}s; run \`npm run refresh -- --wait\` to finish`);
      return 2;
    }
    await sleep(500);
  }

  const view = await listModelLine(settings, { registry });
  const after = view.champion;
  const latest = view.versions[0];
  say(`\n5. champion after: ${after.modelVersion} (${after.modelId})${latest?.evaluation ? `; refresh evaluation on the validation split: ${latest.evaluation.reason}` : ''}`);
  const afterScores = after.modelId === before.modelId ? beforeScores : await measure(after);
  say(
    renderComparison(`\n${held.length} held-out dialogues, ${before.modelVersion} before and ${after.modelVersion} after:`, [
      { label: `before: ${before.modelVersion}`, scores: beforeScores },
      { label: `after: ${after.modelVersion}`, scores: afterScores },
    ]),
  );
  return after.modelId === before.modelId ? 1 : 0;
}

program.action(async (options: DemoOptions) => {
  process.exitCode = await main(options);
});
await program.parseAsync();
