import Table from 'cli-table3';
import type { ModelLineView } from '#domain/refresh/operator.ts';
import type { ModelScores, ModelVersion, RefreshReport } from '#domain/refresh/types.ts';

const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
const score = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

/** One line per decision of a pass: what was done, to which version, and why. */
export function renderReport(report: RefreshReport, target: string): string {
  const lines = [`refresh: line ${report.line} on the ${target}; champion ${report.champion.modelVersion} (${report.champion.modelId})`];
  for (const step of report.steps) lines.push(`  ${(step.version ?? '-').padEnd(10)} ${step.action.padEnd(10)} ${step.reason}`);
  if (report.awaitingApproval) lines.push('  (a trained version awaits approval: see the line above)');
  else if (report.pending) lines.push('  (work in flight: run again, or use --wait)');
  return lines.join('\n');
}

function metricsText(v: ModelVersion): string {
  const e = v.evaluation;
  if (!e) return '';
  const m = e.metric;
  return `${m} ${score(e.candidate[m])} vs ${score(e.champion[m])} (${e.champion.modelVersion}); valid ${score(e.candidate.schemaValidRate)} vs ${score(e.champion.schemaValidRate)}; n=${e.records}`;
}

/** The registry of a line: the champion, what a rollback restores, and every version, newest first. */
export function renderLine(view: ModelLineView, target: string): string {
  const head = [
    `models: line ${view.line} on the ${target}`,
    `  champion   ${view.champion.modelVersion} (${view.champion.modelId}, ${view.champion.mode})${view.champion.updatedAt ? ` since ${view.champion.updatedAt}` : ' (no promotion yet: the configured model)'}`,
    `  rollback   ${view.rollbackTo ? `${view.rollbackTo.modelVersion} (${view.rollbackTo.modelId})` : 'nothing earlier'}`,
  ];
  if (view.versions.length === 0) return [...head, '  no versions yet: curate a dataset and run `npm run refresh`'].join('\n');
  const table = new Table({ head: ['id', 'status', 'dataset (records)', 'job', 'loss train / val', 'evaluation', 'serving', 'why'], style: { head: [], border: [] }, chars: COMPACT, colWidths: [10, 19, 26, 11, 12, 40, 44, 50], wordWrap: true, wrapOnWordBoundary: false });
  for (const v of view.versions) {
    table.push([
      v.id,
      v.status,
      `${v.dataset.version} (${v.dataset.train}+${v.dataset.validation})`,
      v.job.status ?? '-',
      `${v.job.trainingLoss ?? '-'} / ${v.job.validationLoss ?? '-'}`,
      metricsText(v),
      v.serving?.arn ? `${v.serving.arn} (${v.serving.status})` : '-',
      v.reason,
    ]);
  }
  return `${head.join('\n')}\n${table.toString()}`;
}

/** Two models side by side on the same dialogues (demo:loop). */
export function renderComparison(title: string, columns: { label: string; scores: ModelScores }[]): string {
  const table = new Table({ head: ['metric', ...columns.map((c) => c.label)], style: { head: [], border: [] }, chars: COMPACT });
  const row = (name: string, pick: (s: ModelScores) => number | null) => table.push([name, ...columns.map((c) => score(pick(c.scores)))]);
  row('topic accuracy', (s) => s.topicAccuracy);
  row('topic F1', (s) => s.topicF1);
  row('summary ROUGE-L F1', (s) => s.rougeL);
  row('action-item recall', (s) => s.actionRecall);
  row('schema-valid rate', (s) => s.schemaValidRate);
  table.push(['model', ...columns.map((c) => c.scores.modelId)]);
  return `${title}\n${table.toString()}`;
}
