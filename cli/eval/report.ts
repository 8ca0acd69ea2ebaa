import Table from 'cli-table3';
import type { EvalMetrics } from './metrics.ts';

const DASH = '—';
/** No rule between rows: the table stays one screen tall. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const score = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
const rate = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null): string => (v === null ? 'n/a' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
const tokens = (v: number | null): string => (v === null ? 'n/a' : String(Math.round(v)));

/** The metrics as a plain-text table: the model beside the lead baseline. */
export function renderTable(metrics: EvalMetrics, context: { input: string; modelId: string; target: string }): string {
  const m = metrics.model;
  const b = metrics.baseline;
  const table = new Table({ head: ['metric', `model (${context.modelId})`, b.name], style: { head: [], border: [] }, chars: COMPACT });
  table.push(
    [`summary ROUGE-1 F1 (n=${metrics.withSummary})`, score(m.rouge1), score(b.rouge1)],
    ['summary ROUGE-2 F1', score(m.rouge2), score(b.rouge2)],
    ['summary ROUGE-L F1', score(m.rougeL), score(b.rougeL)],
    [`topic accuracy (n=${metrics.withTopics})`, score(m.topicAccuracy), DASH],
    ['topic F1', score(m.topicF1), DASH],
    [`action-item recall (n=${metrics.withActions})`, score(m.actionRecall), DASH],
    ['schema-valid (first answer)', `${rate(m.schemaValidRate)} (${rate(m.firstAnswerValidRate)})`, DASH],
    ['tokens in / out per call', `${tokens(m.inputTokensPerCall)} / ${tokens(m.outputTokensPerCall)}`, DASH],
    ['latency p50 / p95', `${ms(m.latencyP50Ms)} / ${ms(m.latencyP95Ms)}`, DASH],
  );
  const errors = m.errors > 0 ? `, ${m.errors} failed` : '';
  return `${context.input}: ${metrics.dialogues} dialogues${errors}; target: ${context.target}\n${table.toString()}`;
}
