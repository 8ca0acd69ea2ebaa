import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { buildRefreshDeps } from '#adapters/runtime.ts';
import { targetRefreshSettings } from '#cli/refresh/target-settings.ts';
import { renderReport } from '#cli/refresh/render.ts';
import { connectTarget } from '#cli/target.ts';
import { refreshLine, RefreshSettingsError, RegistryConflictError, type RefreshReport } from '#domain/refresh/index.ts';

interface RefreshOptions {
  wait?: boolean;
  timeout: number;
  interval?: number;
  json?: boolean;
}

const seconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
};

const program = new Command('refresh')
  .description('Runs one refresh pass of the model line now, against the running local stack or the stage in CALLNOTES_STAGE: starts training on a new dataset, follows the job, serves and evaluates the candidate, promotes or rejects it. Prints each decision and why. Safe to interrupt and run again.')
  .option('--wait', 'run passes until nothing is in flight (or a version awaits approval)')
  .option('--timeout <seconds>', 'with --wait: give up after this long', seconds, 600)
  .option('--interval <seconds>', 'with --wait: pause between passes (default 1 s locally, 60 s on AWS)', seconds)
  .option('--json', 'print the report(s) as JSON lines')
  .showHelpAfterError();

async function main(options: RefreshOptions): Promise<number> {
  const target = await connectTarget('refresh');
  if (!target) return 1;
  const { config, settings } = targetRefreshSettings(target);
  const deps = buildRefreshDeps(config);
  const interval = (options.interval ?? (target.kind === 'local' ? 1 : 60)) * 1000;
  const deadline = Date.now() + options.timeout * 1000;
  for (;;) {
    let report: RefreshReport;
    try {
      report = await refreshLine(settings, deps);
    } catch (error) {
      if (error instanceof RefreshSettingsError) {
        console.error(`refresh: ${error.message}`);
        return 1;
      }
      if (!(error instanceof RegistryConflictError)) throw error;
      console.error(`refresh: ${error.message}`);
      if (!options.wait) return 1;
      await sleep(interval);
      continue;
    }
    console.log(options.json ? JSON.stringify({ target: target.label, ...report }) : renderReport(report, target.label));
    if (!options.wait || !report.pending || report.awaitingApproval) return 0;
    if (Date.now() > deadline) {
      console.error(`refresh: still in flight after ${options.timeout}s; run again later (nothing is lost)`);
      return 2;
    }
    await sleep(interval);
  }
}

program.action(async (options: RefreshOptions) => {
  process.exitCode = await main(options);
});
await program.parseAsync();
