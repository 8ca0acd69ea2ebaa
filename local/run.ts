import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { Command } from 'commander';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { createConsoleSite } from './console-site.ts';
import { startIngestPipeline, type CallOutcome } from './pipeline.ts';
import { startLocalStack } from './stack.ts';

const program = new Command('npm start --')
  .description('Run callnotes offline: local SQS, DynamoDB, S3 and Bedrock emulators, the ingest function, and the sample calls.')
  .option('--once', 'exit after the sample calls are processed (0 when all succeeded)')
  .option('--json', 'print one JSON object per processed call on stdout; everything else goes to stderr')
  .option('--no-samples', 'do not send the sample calls in events/calls')
  .option('--timeout <seconds>', 'how long to wait for the sample calls', '110')
  .parse();
const opts = program.opts<{ once?: boolean; json?: boolean; samples: boolean; timeout: string }>();

// Human-readable output goes to stderr in --json mode so stdout stays machine-readable.
const say = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);

const settings = loadLocalStackSettings();

const started = Date.now();
const consoleSite = createConsoleSite();
const stack = await startLocalStack({ settings, writeStateFile: true, staticSite: consoleSite.handle }).catch((error: Error) => {
  process.stderr.write(`callnotes: could not start the local stack: ${error.message}\n`);
  process.exit(1);
});

consoleSite.attach(stack);

say('callnotes local stack');
for (const [name, url] of Object.entries(stack.endpoints)) say(`  ${name.padEnd(9)} ${url}`);
say(`  console   ${stack.endpoints.api}/  (agent review console)`);
say(`  queue     ${stack.resources.queueUrl}`);
say(`  dlq       ${stack.resources.dlqUrl}`);
say(`  table     ${stack.resources.table}`);
say(`  bucket    ${stack.resources.bucket}`);
say(`  region ${stack.region}, credentials ${stack.credentials.accessKeyId} / ${stack.credentials.secretAccessKey}; written to ${join(settings.stateDir, 'local.json')}`);

// Sample outcomes are printed together once all are in; anything sent later is printed as it lands.
const sampleIds = new Set<string>();
const pipeline = await startIngestPipeline(stack, {
  env: { CALLNOTES_RETRY_BASE_SECONDS: settings.env.CALLNOTES_RETRY_BASE_SECONDS ?? '1', LOG_LEVEL: settings.functionLogLevel },
  onOutcome: (outcome) => {
    if (opts.json) process.stdout.write(`${JSON.stringify(jsonLine(outcome))}\n`);
    else if (!sampleIds.has(outcome.messageId)) say(renderTable([outcome]));
  },
});

let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    await pipeline.stop();
    await stack.close();
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

if (opts.samples) {
  const dir = 'events/calls';
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const bodies = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  const ids = await pipeline.send(bodies);
  ids.forEach((id) => sampleIds.add(id));
  say(`sent ${ids.length} sample calls from ${dir}/ to ${stack.resources.queueUrl}`);
  const outcomes = await pipeline.waitFor(ids, Number(opts.timeout) * 1000);
  if (!opts.json) say(renderTable(ids.map((id) => outcomes.get(id)).filter((o): o is CallOutcome => !!o)));
  const missing = ids.length - outcomes.size;
  const failed = [...outcomes.values()].filter((o) => o.status !== 'processed');
  for (const f of failed) process.stderr.write(`failed: ${f.callId ?? f.messageId}: ${f.status}: ${'message' in f ? f.message : f.reason}\n`);
  if (missing > 0) process.stderr.write(`failed: ${missing} sample call(s) not processed within ${opts.timeout}s\n`);
  say(`${outcomes.size - failed.length} of ${ids.length} calls processed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (opts.once) await shutdown(failed.length > 0 || missing > 0 ? 1 : 0);
}
say('serving; send transcripts to the queue (see README). Ctrl-C to stop.');

function jsonLine(o: CallOutcome) {
  if (o.status === 'processed') {
    return { callId: o.callId, status: o.status, notes: o.notes, model: o.call.model, usage: o.call.usage, latencyMs: o.call.latencyMs };
  }
  if (o.status === 'rejected') return { callId: o.callId ?? null, messageId: o.messageId, status: o.status, reason: o.reason, field: o.field, message: o.message };
  return { callId: o.callId ?? null, messageId: o.messageId, status: o.status, reason: o.reason, receiveCount: o.receiveCount };
}

function renderTable(outcomes: CallOutcome[]): string {
  const table = new Table({
    head: ['call id', 'status', 'outcome', 'topics', 'actions', 'summary'],
    colWidths: [26, 11, 11, 30, 9, 50],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const o of outcomes) {
    if (o.status === 'processed') {
      const words = o.notes.summary.split(/\s+/);
      table.push([o.callId, o.status, o.notes.outcome, o.notes.topics.join(', '), String(o.notes.actionItems.length), `${words.slice(0, 14).join(' ')}${words.length > 14 ? ' …' : ''}`]);
    } else {
      table.push([o.callId ?? o.messageId, o.status, '', '', '', 'message' in o ? o.message : o.reason]);
    }
  }
  return table.toString();
}
