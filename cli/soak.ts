import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { runSoak, type SoakProgress } from '#cli/soak/run.ts';
import { positiveInt } from '#cli/options.ts';

interface SoakCliOptions {
  messages: number;
  throttle: number;
  modelTimeout: number;
  malformedOutput: number;
  poison: number;
  duplicates: number;
  killAfter?: number;
  attach?: boolean;
  rate: number;
  timeout?: number;
  latency: { min: number; max: number };
  tokensPerMinute: number;
  seed: number;
  visibilityTimeout: number;
  sharedHandler?: boolean;
  json?: boolean;
}

const nonNegative = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
};
const share = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a share from 0 to 1');
  return n;
};
/** 30s, 2m, 1500ms, or plain seconds. */
const duration = (value: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 2m or 1500ms');
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
};
const range = (value: string): { min: number; max: number } => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!m || Number(m[2] ?? m[1]) < Number(m[1])) throw new InvalidArgumentError('expected milliseconds as MIN-MAX (e.g. 5-25) or one number');
  return { min: Number(m[1]), max: Number(m[2] ?? m[1]) };
};

const program = new Command('soak')
  .description(
    'Reliability under load, faults and bad input: sends calls, duplicates and poison through the ingest function on a local stack with ' +
      'Bedrock faults injected, optionally kills the runner midway, then accounts for every message (stored, rejected or dead-lettered). ' +
      'Exits 1 when anything is lost or stored twice.',
  )
  .option('--messages <n>', 'messages to send', positiveInt, 1000)
  .option('--throttle <share>', 'share of model calls throttled', share, 0.2)
  .option('--model-timeout <share>', 'share of model calls that time out', share, 0.02)
  .option('--malformed-output <share>', 'share of model answers that are not valid notes', share, 0.02)
  .option('--poison <share>', 'share of messages that can never succeed', share, 0.01)
  .option('--duplicates <share>', 'share of messages that re-send an earlier call', share, 0.05)
  .option('--kill-after <duration>', 'SIGKILL the runner this long after sending starts (e.g. 30s), then start another', duration)
  .option('--attach', 'use the running stack (.callnotes/local.json) and its runner instead of starting one')
  .option('--rate <per-second>', 'send at most this many messages a second (0: as fast as possible)', nonNegative, 0)
  .option('--timeout <duration>', 'stop waiting after this long (default: scales with --messages)', duration)
  .option('--latency <ms>', 'model latency the emulator adds, MIN-MAX ms', range, { min: 5, max: 25 })
  .option('--tokens-per-minute <n>', 'Bedrock tokens-per-minute quota the emulator enforces (0: none)', nonNegative, 0)
  .option('--seed <n>', 'seed of the message plan', positiveInt, 42)
  .option('--visibility-timeout <seconds>', 'inbound visibility timeout while the runner may be killed (deployed: 360)', positiveInt, 30)
  .option('--shared-handler', 'run concurrent batches through one handler module instance, as local/pipeline.ts does (default: one per execution environment, as Lambda)')
  .option('--json', 'print only the JSON report on stdout (progress stays on stderr)')
  .showHelpAfterError();

async function main(options: SoakCliOptions): Promise<number> {
  const bar = new SingleBar(
    { format: 'soak {phase} [{bar}] {value}/{total} settled | sent {sent} | queued {queued} | retrying {retrying} | runners {runners} | {elapsed}s', stream: process.stderr, hideCursor: true, noTTYOutput: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  let barStarted = false;
  const onProgress = (p: SoakProgress) => {
    const payload = { phase: p.phase.padEnd(10), sent: p.sent, queued: p.queued, retrying: p.retrying, runners: p.runners, elapsed: Math.round(p.elapsedMs / 1000) };
    if (!barStarted) {
      bar.start(p.total, p.settled, payload);
      barStarted = true;
    } else bar.update(p.settled, payload);
  };
  const onNotice = (line: string) => process.stderr.write(`\nsoak: ${line}\n`);

  let report;
  try {
    report = await runSoak(
      {
        messages: options.messages,
        throttle: options.throttle,
        modelTimeout: options.modelTimeout,
        malformedOutput: options.malformedOutput,
        poison: options.poison,
        duplicates: options.duplicates,
        killAfterMs: options.killAfter,
        attach: options.attach,
        rate: options.rate,
        timeoutSeconds: options.timeout !== undefined ? options.timeout / 1000 : undefined,
        latencyMs: options.latency,
        tokensPerMinute: options.tokensPerMinute,
        seed: options.seed,
        visibilityTimeoutSeconds: options.visibilityTimeout,
        sharedHandler: options.sharedHandler,
      },
      { onProgress, onNotice },
    );
  } catch (error) {
    if (barStarted) bar.stop();
    process.stderr.write(`soak: ${(error as Error).message}\n`);
    return 2;
  }
  if (barStarted) bar.stop();
  console.log(JSON.stringify(report, null, 2));
  const failed = report.lost > 0 || report.duplicateRecords > 0;
  if (!options.json) {
    const verdict = failed ? `FAILED: ${report.lost} lost, ${report.duplicateRecords} duplicate record(s)` : 'OK: nothing lost, nothing stored twice';
    process.stderr.write(`soak: ${verdict} (${report.sent} messages in ${report.wallTimeSeconds} s; runner logs in ${report.logs})\n`);
  }
  return failed ? 1 : 0;
}

program.parse();
process.exitCode = await main(program.opts<SoakCliOptions>());
