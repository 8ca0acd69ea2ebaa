import { userInfo } from 'node:os';
import { Command } from 'commander';
import { buildModelRegistry, buildRefreshDeps } from '#adapters/runtime.ts';
import { renderLine, renderReport } from '#cli/refresh/render.ts';
import { targetRefreshSettings } from '#cli/refresh/target-settings.ts';
import { connectTarget, type Target } from '#cli/target.ts';
import { approveVersion, declineVersion, listModelLine, ModelCommandError, refreshLine, RegistryConflictError, rollbackChampion } from '#domain/refresh/index.ts';

interface CommonOptions {
  json?: boolean;
  by?: string;
  refresh?: boolean;
}

const operator = (options: CommonOptions) => options.by ?? process.env.USER ?? userInfo().username ?? 'operator';

/** Runs one command against the target; domain refusals and lost races are one line on stderr and exit 1. */
async function withTarget(run: (target: Target) => Promise<void>): Promise<void> {
  const target = await connectTarget('models');
  if (!target) {
    process.exitCode = 1;
    return;
  }
  try {
    await run(target);
  } catch (error) {
    if (!(error instanceof ModelCommandError || error instanceof RegistryConflictError)) throw error;
    console.error(`models: ${error.message}`);
    process.exitCode = 1;
  }
}

const context = (target: Target) => {
  const { config, settings } = targetRefreshSettings(target);
  return { config, settings, deps: { registry: buildModelRegistry(config), clock: { now: () => new Date() } } };
};

const program = new Command('models')
  .description('The model registry of the line: versions, the champion ingest serves, approval and rollback (local stack, or the stage in CALLNOTES_STAGE).')
  .option('--json', 'print JSON')
  .action(async (options: CommonOptions) =>
    withTarget(async (target) => {
      const { settings, deps } = context(target);
      const view = await listModelLine(settings, deps);
      console.log(options.json ? JSON.stringify({ target: target.label, ...view }) : renderLine(view, target.label));
    }),
  )
  .showHelpAfterError();

program
  .command('approve <id>')
  .description('approve serving a trained version (buys provisioned throughput, billed hourly), then run a refresh pass to provision and evaluate it')
  .option('--by <name>', 'who approves (default: $USER)')
  .option('--no-refresh', 'only record the approval; the next refresh pass provisions')
  .option('--json', 'print JSON')
  .action(async (id: string, options: CommonOptions) =>
    withTarget(async (target) => {
      const { config, settings, deps } = context(target);
      const version = await approveVersion(id, operator(options), settings, deps);
      if (!options.json) console.log(`models: ${version.id} approved by ${version.approval!.by}; it is now ${version.status}`);
      const report = options.refresh === false ? undefined : await refreshLine(settings, buildRefreshDeps(config));
      if (options.json) console.log(JSON.stringify({ target: target.label, version, ...(report ? { refresh: report } : {}) }));
      else if (report) console.log(renderReport(report, target.label));
    }),
  );

program
  .command('decline <id>')
  .description('decline a trained version awaiting approval (it is never served)')
  .option('--by <name>', 'who declines (default: $USER)')
  .option('--json', 'print JSON')
  .action(async (id: string, options: CommonOptions) =>
    withTarget(async (target) => {
      const { settings, deps } = context(target);
      const version = await declineVersion(id, operator(options), settings, deps);
      console.log(options.json ? JSON.stringify({ target: target.label, version }) : `models: ${version.id} declined; ${version.reason}`);
    }),
  );

program
  .command('rollback')
  .description('make the previous champion the champion again; ingest serves it once its pointer cache expires (CALLNOTES_MODEL_POINTER_TTL_SECONDS, 60 s)')
  .option('--by <name>', 'who rolls back (default: $USER)')
  .option('--json', 'print JSON')
  .action(async (options: CommonOptions) =>
    withTarget(async (target) => {
      const { settings, deps } = context(target);
      const result = await rollbackChampion(operator(options), settings, deps);
      console.log(
        options.json
          ? JSON.stringify({ target: target.label, from: result.from, to: result.to })
          : `models: rolled back line ${settings.line} from ${result.from.modelVersion} (${result.from.modelId}) to ${result.to.modelVersion} (${result.to.modelId})`,
      );
    }),
  );

await program.parseAsync();
