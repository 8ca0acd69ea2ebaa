import { html, nothing, type TemplateResult } from 'lit-html';
import type { CuratedDatasetRow, RegisteredModel } from '../api.ts';
import type { ConsoleApp, Remote } from '../app.ts';
import { formatDateTime } from '../format.ts';

function remoteBody<T>(remote: Remote<T>, what: string, route: string, ready: (value: T) => TemplateResult): TemplateResult {
  switch (remote.state) {
    case 'idle':
    case 'loading':
      return html`<p aria-busy="true">Loading ${what}…</p>`;
    case 'unavailable':
      return html`<div class="placeholder" data-testid="not-available">
        <p><strong>${what[0]!.toUpperCase()}${what.slice(1)} are not available yet.</strong> The API does not serve <code>${route}</code> so far; this view fills in as soon as it does.</p>
      </div>`;
    case 'error':
      return html`<p class="notice notice-error" role="alert">Could not load ${what}: ${remote.message}</p>`;
    case 'ready':
      return ready(remote.value);
  }
}

export function datasetsView(app: ConsoleApp): TemplateResult {
  const remote = app.state.datasets;
  return html`
    <div class="page-head">
      <h1 id="main-heading" tabindex="-1">Training datasets</h1>
      ${remote.state === 'ready'
        ? html`<button type="button" class="primary" ?disabled=${Boolean(app.state.busy)} @click=${() => void app.curateNow()}>Curate now</button>`
        : nothing}
    </div>
    <p class="lede">Each version is curated from agents' and supervisors' ratings in a time window: well-rated notes, and corrected notes in place of the model's.</p>
    ${remoteBody(remote, 'dataset versions', 'GET /datasets', datasetTable)}
  `;
}

function datasetTable(datasets: CuratedDatasetRow[]): TemplateResult {
  if (!datasets.length) return html`<p class="empty">No dataset version yet: press “Curate now” once calls are rated.</p>`;
  return html`<div class="table-wrap" role="region" aria-label="Dataset versions" tabindex="0"><table>
    <caption>${datasets.length} dataset version${datasets.length === 1 ? '' : 's'}, newest first</caption>
    <thead><tr>
      <th scope="col">Version</th><th scope="col">Created</th><th scope="col">Family</th><th scope="col">Ratings window</th>
      <th scope="col">Considered</th><th scope="col">Train / validation</th><th scope="col">From corrections</th><th scope="col">Dropped</th><th scope="col">Top topics</th>
    </tr></thead>
    <tbody>
      ${datasets.map((d) => {
        const dropped = Object.entries(d.counts?.dropped ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
        const topics = Object.entries(d.topics ?? {}).slice(0, 3);
        return html`<tr>
          <td><code>${d.version}</code></td>
          <td class="nowrap">${formatDateTime(d.createdAt)}</td>
          <td>${d.family} <span class="hint">(${d.format})</span></td>
          <td class="nowrap">${formatDateTime(d.window?.from)} – ${formatDateTime(d.window?.to)}</td>
          <td class="num">${d.counts?.considered ?? '—'}</td>
          <td class="num">${d.counts?.train ?? '—'} / ${d.counts?.validation ?? '—'}</td>
          <td class="num">${d.counts?.sources?.corrected ?? '—'}</td>
          <td>${dropped.length ? dropped.map(([reason, n]) => html`<span class="chip">${reason} ${n}</span> `) : 'none'}</td>
          <td>${topics.map(([topic, n]) => html`<span class="chip">${topic} ${n}</span> `)}</td>
        </tr>`;
      })}
    </tbody>
  </table></div>`;
}

export function modelsView(app: ConsoleApp): TemplateResult {
  const remote = app.state.models;
  const hasChampion = remote.state === 'ready' && remote.value.some((m) => m.status === 'champion');
  return html`
    <div class="page-head">
      <h1 id="main-heading" tabindex="-1">Model registry</h1>
      ${remote.state === 'ready'
        ? html`<button type="button" ?disabled=${!hasChampion || Boolean(app.state.busy)} @click=${() => void app.rollbackModel()}>Roll back to the previous champion</button>`
        : nothing}
    </div>
    <p class="lede">Candidates are trained on a dataset version. Approving one awaiting approval serves it (provisioned throughput is billed hourly) so the next refresh can evaluate it against the champion; it is promoted only if it does better.</p>
    ${remoteBody(remote, 'models', 'GET /models', (models) => modelTable(app, models))}
  `;
}

function modelTable(app: ConsoleApp, models: RegisteredModel[]): TemplateResult {
  if (!models.length) return html`<p class="empty">No models registered yet.</p>`;
  return html`<div class="table-wrap" role="region" aria-label="Models" tabindex="0"><table>
    <caption>${models.length} model${models.length === 1 ? '' : 's'}</caption>
    <thead><tr>
      <th scope="col">Version</th><th scope="col">Status</th><th scope="col">Model</th><th scope="col">Dataset</th>
      <th scope="col">Created</th><th scope="col">Promoted</th><th scope="col">Evaluation</th><th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead>
    <tbody>
      ${models.map(
        (m) => html`<tr>
          <td><strong>${m.version}</strong></td>
          <td><span class="status-badge status-${m.status}">${m.status}</span>${m.reason ? html`<div class="muted">${m.reason}</div>` : nothing}</td>
          <td>${m.modelId ? html`<code class="wrap">${m.modelId}</code>` : '—'}</td>
          <td>${m.datasetVersion ? html`<code>${m.datasetVersion}</code>` : '—'}</td>
          <td class="nowrap">${formatDateTime(m.createdAt)}</td>
          <td class="nowrap">${m.promotedAt ? formatDateTime(m.promotedAt) : '—'}</td>
          <td>${metrics(m)}</td>
          <td>${m.status === 'awaiting-approval'
            ? html`<button type="button" class="primary" ?disabled=${Boolean(app.state.busy)} @click=${() => void app.approveModel(m)}>Approve <span class="visually-hidden">version ${m.version}</span></button>`
            : nothing}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

function metrics(model: RegisteredModel): TemplateResult | string {
  const entries = Object.entries(model.metrics ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  if (!entries.length) return '—';
  return html`<dl class="metrics">
    ${entries.map(([name, value]) => {
      const base = model.baseline?.[name];
      return html`<div><dt>${name}</dt><dd>${round(value)}${typeof base === "number" ? html` <span class="hint">(champion ${round(base)})</span>` : nothing}</dd></div>`;
    })}
  </dl>`;
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3));
