import { ModelCommandError } from './errors.ts';
import type { ModelRegistry } from './ports.ts';
import { servedBy } from './refresh.ts';
import type { ChampionPointer, ModelVersion, RefreshSettings, ServedModel } from './types.ts';

type Deps = { registry: ModelRegistry; clock: { now(): Date } };
type LineSettings = Pick<RefreshSettings, 'line' | 'servingModelId' | 'servingModelVersion'>;

export interface ModelLineView {
  line: string;
  champion: ServedModel & { updatedAt?: string; reason?: string };
  /** What a rollback would restore, if anything. */
  rollbackTo?: ServedModel;
  /** Newest first. */
  versions: ModelVersion[];
}

/** The registry of a line as operators see it (`npm run models`, GET /models). */
export async function listModelLine(settings: LineSettings, deps: Pick<Deps, 'registry'>): Promise<ModelLineView> {
  const [pointer, versions] = await Promise.all([deps.registry.getChampion(settings.line), deps.registry.listVersions(settings.line)]);
  return {
    line: settings.line,
    champion: { ...servedBy(pointer, settings), ...(pointer ? { updatedAt: pointer.updatedAt, reason: pointer.reason } : {}) },
    ...(pointer?.previous[0] ? { rollbackTo: pointer.previous[0] } : {}),
    versions: [...versions].reverse(),
  };
}

/** `<line>-v<n>` (or a bare number, on the configured line). */
export function parseVersionId(id: string, line: string): { line: string; version: number } {
  const bare = /^v?(\d+)$/.exec(id.trim());
  if (bare) return { line, version: Number(bare[1]) };
  const match = /^(.+)-v(\d+)$/.exec(id.trim());
  if (!match) throw new ModelCommandError(`"${id}" is not a model version id such as ${line}-v3`);
  return { line: match[1]!, version: Number(match[2]) };
}

async function requireVersion(id: string, settings: LineSettings, deps: Deps): Promise<ModelVersion> {
  const ref = parseVersionId(id, settings.line);
  const version = await deps.registry.getVersion(ref.line, ref.version);
  if (!version) throw new ModelCommandError(`no model version ${ref.line}-v${ref.version}`);
  return version;
}

/**
 * Approves serving a trained candidate: the next refresh pass buys its provisioned throughput
 * (billed hourly) and evaluates it. Only a version awaiting approval can be approved.
 */
export async function approveVersion(id: string, approver: string, settings: LineSettings, deps: Deps): Promise<ModelVersion> {
  const version = await requireVersion(id, settings, deps);
  if (version.status !== 'awaiting-approval') throw new ModelCommandError(`${version.id} is ${version.status}; only a version awaiting approval can be approved`);
  const at = deps.clock.now().toISOString();
  return deps.registry.saveVersion({ ...version, status: 'evaluating', approval: { by: approver, at }, reason: `approved by ${approver}; serving it for evaluation`, updatedAt: at });
}

/** Declines a trained candidate without serving it. */
export async function declineVersion(id: string, by: string, settings: LineSettings, deps: Deps): Promise<ModelVersion> {
  const version = await requireVersion(id, settings, deps);
  if (version.status !== 'awaiting-approval') throw new ModelCommandError(`${version.id} is ${version.status}; only a version awaiting approval can be declined`);
  const at = deps.clock.now().toISOString();
  return deps.registry.saveVersion({ ...version, status: 'rejected', reason: `declined by ${by} before serving`, updatedAt: at });
}

export interface RollbackResult {
  from: ServedModel;
  to: ServedModel;
  pointer: ChampionPointer;
}

/**
 * Makes the previous champion the champion again (the base model when there was none). The pointer
 * is written first, conditionally; statuses follow, and a refresh pass repairs them if this is cut
 * short. Ingest serves the restored model once its pointer cache expires.
 */
export async function rollbackChampion(by: string, settings: LineSettings, deps: Deps): Promise<RollbackResult> {
  const pointer = await deps.registry.getChampion(settings.line);
  const to = pointer?.previous[0];
  if (!pointer || !to) throw new ModelCommandError(`line ${settings.line} has no earlier champion to roll back to`);
  const from = servedBy(pointer, settings);
  const at = deps.clock.now().toISOString();
  const restored: ChampionPointer = {
    line: settings.line,
    ...to,
    previous: pointer.previous.slice(1),
    updatedAt: at,
    reason: `rolled back from ${from.modelVersion} by ${by}`,
    revision: pointer.revision + 1,
  };
  const written = await deps.registry.putChampion(restored, pointer.revision);
  if (from.version > 0) {
    const current = await deps.registry.getVersion(settings.line, from.version);
    if (current?.status === 'champion') await deps.registry.saveVersion({ ...current, status: 'retired', retiredAt: at, reason: `rolled back by ${by}`, updatedAt: at });
  }
  if (to.version > 0) {
    const previous = await deps.registry.getVersion(settings.line, to.version);
    if (previous && previous.status !== 'champion') await deps.registry.saveVersion({ ...previous, status: 'champion', reason: restored.reason, updatedAt: at });
  }
  return { from, to, pointer: written };
}
