import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { DynamoDbRatingStore } from '#adapters/dynamodb-rating-store.ts';
import { buildIngestDeps } from '#adapters/runtime.ts';
import { connect } from '#cli/target.ts';
import {
  historyCallId,
  HistoryLineError,
  importHistoryDialogue,
  parseHistoryLine,
  type HistoryDialogue,
  type HistoryImportResult,
} from '#domain/curation/index.ts';
import { positiveInt } from '#cli/options.ts';

interface ImportOptions {
  rater: string;
  agent: string;
  json?: boolean;
  concurrency: number;
}

const program = new Command('import-history')
  .description('Imports labelled dialogues as calls (through ingest: parsed, redacted, stored, notes by the current model) each with a supervisor rating whose corrections carry the labels, so a first dataset can be curated before any live rating.')
  .argument('<file.jsonl>', 'dialogues, one {id, turns:[{speaker, text}], reference:{summary, topics, actions}, meta} a line')
  .option('--rater <id>', 'rater id of the imported ratings', 'supervisor-import')
  .option('--agent <id>', 'agent id of the imported calls', 'history-import')
  .option('--json', 'print the result as one JSON object')
  .option('--concurrency <n>', 'dialogues in flight at once', positiveInt, 4)
  .showHelpAfterError();

interface LineProblem {
  line: number;
  id?: string;
  message: string;
}

async function main(file: string, options: ImportOptions): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`import-history: cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  const problems: LineProblem[] = [];
  const dialogues: { line: number; dialogue: HistoryDialogue }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    try {
      const dialogue = parseHistoryLine(raw, index + 1);
      if (dialogue) dialogues.push({ line: index + 1, dialogue });
    } catch (error) {
      if (!(error instanceof HistoryLineError)) throw error;
      problems.push({ line: error.line, message: error.message });
    }
  });
  for (const p of problems) console.error(`import-history: ${file}: ${p.message} (skipped)`);

  const connection = await connect('import-history');
  if (!connection) return 1;
  const { target, config } = connection;
  const deps = {
    ingest: buildIngestDeps(config),
    ratings: new DynamoDbRatingStore(config.tableName, new DynamoDBClient({ region: config.region })),
    clock: { now: () => new Date() },
  };
  const importOptions = { raterId: options.rater, agentId: options.agent, comment: `imported from ${basename(file)}` };

  const bar = new SingleBar(
    { format: 'import-history [{bar}] {value}/{total} dialogues | {failed} failed | eta {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  const results: (HistoryImportResult & { line: number })[] = [];
  let failed = 0;
  if (!options.json) bar.start(dialogues.length, 0, { failed });
  let next = 0;
  const worker = async () => {
    while (next < dialogues.length) {
      const { line, dialogue } = dialogues[next]!;
      next += 1;
      let result: HistoryImportResult;
      try {
        result = await importHistoryDialogue(dialogue, deps, importOptions);
      } catch (error) {
        // Transient failures (throttling, a stack that went away): reported per line; a rerun picks them up.
        result = { status: 'rejected', callId: historyCallId(dialogue.id), reason: (error as Error).name, message: (error as Error).message };
      }
      if (result.status === 'rejected') {
        failed += 1;
        problems.push({ line, id: dialogue.id, message: `line ${line} (id ${dialogue.id}): ${result.reason}: ${result.message}` });
      }
      results.push({ ...result, line });
      if (!options.json) bar.increment(1, { failed });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, dialogues.length)) }, worker));
  } finally {
    if (!options.json) bar.stop();
  }

  results.sort((a, b) => a.line - b.line);
  const imported = results.filter((r) => r.status === 'imported');
  const summary = {
    file,
    target: target.label,
    dialogues: dialogues.length,
    malformedLines: problems.filter((p) => p.id === undefined).length,
    failed,
    calls: { processed: imported.filter((r) => r.call === 'processed').length, duplicate: imported.filter((r) => r.call === 'duplicate').length },
    ratings: {
      created: imported.filter((r) => r.rating === 'created').length,
      updated: imported.filter((r) => r.rating === 'updated').length,
      unchanged: imported.filter((r) => r.rating === 'unchanged').length,
    },
    labelsSkipped: imported.filter((r) => r.skipped.length > 0).map((r) => ({ callId: r.callId, skipped: r.skipped })),
    problems: problems.sort((a, b) => a.line - b.line),
  };
  if (options.json) {
    console.log(JSON.stringify(summary));
  } else {
    for (const p of problems.filter((p) => p.id !== undefined)) console.error(`import-history: ${p.message}`);
    console.log(
      `import-history: ${imported.length} of ${dialogues.length} dialogues imported into the ${target.label}: ` +
        `calls ${summary.calls.processed} new, ${summary.calls.duplicate} already there; ` +
        `ratings ${summary.ratings.created} new, ${summary.ratings.updated} updated, ${summary.ratings.unchanged} unchanged` +
        (summary.labelsSkipped.length > 0 ? `; ${summary.labelsSkipped.length} with labels the notes schema refused (see --json)` : '') +
        (problems.length > 0 ? `; ${problems.length} line(s) skipped` : ''),
    );
  }
  return problems.length > 0 ? 1 : 0;
}

program.action(async (file: string, options: ImportOptions) => {
  process.exitCode = await main(file, options);
});
await program.parseAsync();
