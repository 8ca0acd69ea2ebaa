import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { loadOperatorSettings } from '#adapters/config.ts';
import { BedrockNotesModel } from '#adapters/bedrock-notes-model.ts';
import { findTarget, useTarget } from '#cli/target.ts';
import { LEAD_SENTENCES } from '#cli/eval/baseline.ts';
import { EvalInputError, parseDialogues } from '#cli/eval/dialogues.ts';
import { aggregate } from '#cli/eval/metrics.ts';
import { renderTable } from '#cli/eval/report.ts';
import { evaluateDialogues } from '#cli/eval/run.ts';
import { startBedrockEmulator, type BedrockEmulator } from '#local/bedrock/server.ts';
import { loadServerlessConfig } from '#local/serverless-config.ts';
import { positiveInt } from '#cli/options.ts';

interface EvalOptions {
  input: string;
  model?: string;
  out?: string;
  json?: boolean;
  limit?: number;
  concurrency: number;
  callDate: string;
  inProcess?: boolean;
}

const isoDate = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('expected YYYY-MM-DD');
  return value;
};

const program = new Command('eval')
  .description('Writes notes for labelled dialogues through the ingest model path and scores them against their references and a lead-3 baseline.')
  .requiredOption('--input <file.jsonl>', 'dialogues, one {id, turns:[{speaker, text}], reference:{summary, topics, actions}, meta} a line')
  .option('--model <id>', 'Bedrock model id or ARN (default: the target\'s configured model)')
  .option('--out <predictions.jsonl>', 'write one {"id", "notes"} line per dialogue ("error" when the model failed)')
  .option('--json', 'print the metrics as one JSON object instead of the table')
  .option('--limit <n>', 'evaluate only the first n dialogues', positiveInt)
  .option('--concurrency <n>', 'dialogues in flight at once', positiveInt, 4)
  .option('--call-date <YYYY-MM-DD>', 'call date given to the model (resolves relative due dates)', isoDate, new Date().toISOString().slice(0, 10))
  .option('--in-process', 'use an in-process Bedrock emulator even when a local stack is running')
  .showHelpAfterError();

async function main(options: EvalOptions): Promise<number> {
  let text: string;
  try {
    text = readFileSync(options.input, 'utf8');
  } catch (error) {
    console.error(`eval: cannot read --input ${options.input}: ${(error as Error).message}`);
    return 1;
  }
  let dialogues;
  try {
    dialogues = parseDialogues(text);
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    console.error(`eval: ${options.input}: ${error.message}`);
    return 1;
  }
  if (options.limit !== undefined) dialogues = dialogues.slice(0, options.limit);

  const settings = loadOperatorSettings();
  const target = options.inProcess ? undefined : await findTarget(settings);
  let emulator: BedrockEmulator | undefined;
  let targetLabel: string;
  let modelId: string;
  if (target) {
    useTarget(target);
    targetLabel = target.label;
    modelId = options.model ?? target.modelId;
  } else {
    emulator = await startBedrockEmulator({ port: 0 });
    Object.assign(process.env, emulatorSdkEnv(emulator.url, settings.region));
    targetLabel = `in-process Bedrock emulator (${emulator.url})`;
    console.error(options.inProcess ? `eval: using an ${targetLabel}` : `eval: no running callnotes stack found (.callnotes/local.json); started an ${targetLabel}`);
    modelId = options.model ?? settings.modelId ?? localModelConfig(settings.env).id;
  }
  const model = new BedrockNotesModel({ modelId, modelVersion: 'eval', maxOutputTokens: localModelConfig(settings.env).maxOutputTokens });

  const bar = new SingleBar({ format: 'eval [{bar}] {value}/{total} dialogues | {failed} failed | eta {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let failed = 0;
  bar.start(dialogues.length, 0, { failed });
  let outcomes;
  try {
    outcomes = await evaluateDialogues(dialogues, model, {
      callDate: options.callDate,
      concurrency: options.concurrency,
      onDone: (outcome) => {
        if (outcome.notes === null) failed += 1;
        bar.increment(1, { failed });
      },
    });
  } finally {
    bar.stop();
    await emulator?.close();
  }

  if (options.out) {
    const lines = outcomes.map((o) => JSON.stringify(o.notes ? { id: o.id, notes: o.notes } : { id: o.id, notes: null, error: o.error }));
    writeFileSync(options.out, `${lines.join('\n')}\n`);
  }
  const firstError = outcomes.find((o) => o.error)?.error;
  if (firstError) console.error(`eval: ${failed} of ${outcomes.length} dialogues failed; first error: ${firstError}`);

  const metrics = aggregate(outcomes, `lead-${LEAD_SENTENCES} baseline`);
  if (options.json) {
    console.log(JSON.stringify({ input: options.input, target: targetLabel, modelId, ...metrics }));
  } else {
    console.log(renderTable(metrics, { input: options.input, modelId, target: targetLabel }));
  }
  return failed === outcomes.length ? 2 : 0;
}

/** The serverless.yml model settings of the local stage (one source of truth with the stack). */
function localModelConfig(env: Record<string, string | undefined>): { id: string; maxOutputTokens: number } {
  const model = loadServerlessConfig('serverless.yml', { stage: 'local', env }).custom?.model ?? {};
  return { id: String(model.id), maxOutputTokens: Number(model.maxOutputTokens ?? 1024) };
}

function emulatorSdkEnv(url: string, region: string | undefined): Record<string, string> {
  return {
    AWS_REGION: region ?? 'us-west-2',
    AWS_ACCESS_KEY_ID: 'eval',
    AWS_SECRET_ACCESS_KEY: 'eval',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
  };
}

program.action(async (options: EvalOptions) => {
  process.exitCode = await main(options);
});
await program.parseAsync();
