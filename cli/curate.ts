import { Command, InvalidArgumentError, Option } from 'commander';
import { loadCurationConfig } from '#adapters/config.ts';
import { buildCurationDeps } from '#adapters/dataset-store.ts';
import { connect, type Target } from '#cli/target.ts';
import {
  curateDataset,
  FAMILY_FORMAT,
  InvalidWindowError,
  TUNING_FAMILIES,
  type CurationProgress,
  type CurationResult,
  type DatasetCounts,
  type TuningFamily,
} from '#domain/curation/index.ts';

interface CurateOptions {
  from?: string;
  to?: string;
  family?: TuningFamily;
  json?: boolean;
}

const program = new Command('curate')
  .description('Curates the agent ratings made in a window into a fine-tuning dataset version (train/validation JSONL + manifest in S3, a dataset item in DynamoDB), on the running local stack or the stage in CALLNOTES_STAGE.')
  .option('--from <ISO>', 'window start (inclusive); default: where the latest dataset\'s window ended, else CALLNOTES_CURATION_FIRST_WINDOW_DAYS (365) days back')
  .option('--to <ISO>', 'window end (exclusive); default: now')
  .addOption(new Option('--family <family>', 'base-model family the records are written for (default: CALLNOTES_MODEL_FAMILY, else claude3)').choices(TUNING_FAMILIES))
  .option('--json', 'print the result as one JSON object')
  .showHelpAfterError();

async function main(options: CurateOptions): Promise<number> {
  const connection = await connect('curate');
  if (!connection) return 1;
  const { target, config } = connection;
  const family = options.family ?? config.model.family;
  let lastReport = 0;
  const deps = {
    ...buildCurationDeps(config),
    onProgress: (progress: CurationProgress) => {
      // Periodic counts, not a line per call: long runs stay readable in a terminal and a log.
      const now = Date.now();
      const final = progress.total !== undefined && progress.done === progress.total;
      if (options.json || (now - lastReport < 2000 && !final)) return;
      lastReport = now;
      process.stderr.write(`curate: ${progress.phase} ${progress.done}${progress.total !== undefined ? `/${progress.total}` : ''}\n`);
    },
  };

  let result: CurationResult;
  try {
    result = await curateDataset({ from: options.from, to: options.to }, deps, { family, ...loadCurationConfig() });
  } catch (error) {
    if (!(error instanceof InvalidWindowError)) throw error;
    console.error(`curate: ${error.message}`);
    return 1;
  }

  if (options.json) {
    console.log(JSON.stringify(result.status === 'empty' ? { target: target.label, ...result } : { target: target.label, status: result.status, window: result.window, dataset: result.dataset }));
    return 0;
  }
  console.log(render(result, target, family));
  return 0;
}

function render(result: CurationResult, target: Target, family: TuningFamily): string {
  const lines: string[] = [];
  const window = `${result.window.from} .. ${result.window.to}`;
  if (result.status === 'empty') {
    lines.push(`curate: no records to curate in ${window} on the ${target.label}; no version written`);
    lines.push(...countLines(result.counts));
    return lines.join('\n');
  }
  const { dataset } = result;
  lines.push(
    result.status === 'created'
      ? `curate: new dataset version ${dataset.version} on the ${target.label}`
      : `curate: dataset version ${dataset.version} already exists for this window and these records (created ${dataset.createdAt}); nothing written`,
  );
  lines.push(`  window      ${window}`);
  lines.push(`  family      ${family} (${FAMILY_FORMAT[family]})`);
  lines.push(...countLines(dataset.counts));
  const topics = Object.entries(dataset.topics).slice(0, 5).map(([topic, n]) => `${topic} ${n}`).join(', ');
  if (topics) lines.push(`  topics      ${topics}`);
  lines.push(`  train       ${dataset.files.train.uri} (${dataset.files.train.records} records, sha256 ${dataset.files.train.sha256})`);
  lines.push(`  validation  ${dataset.files.validation.uri} (${dataset.files.validation.records} records, sha256 ${dataset.files.validation.sha256})`);
  lines.push(`  manifest    ${dataset.manifestUri}`);
  return lines.join('\n');
}

function countLines(counts: DatasetCounts): string[] {
  const dropped = Object.entries(counts.dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return [
    `  calls       ${counts.considered} considered, ${counts.selected} selected (train ${counts.train}, validation ${counts.validation}; model notes ${counts.sources.model}, corrected ${counts.sources.corrected})`,
    `  dropped     ${dropped || 'none'}`,
  ];
}

const isoArgument = (value: string): string => {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('expected an ISO 8601 date-time such as 2026-11-23T00:00:00Z');
  return value;
};
program.options.find((o) => o.long === '--from')!.argParser(isoArgument);
program.options.find((o) => o.long === '--to')!.argParser(isoArgument);

program.action(async (options: CurateOptions) => {
  process.exitCode = await main(options);
});
await program.parseAsync();
