import { html, nothing, type TemplateResult } from 'lit-html';
import { OutcomeSchema } from '../../../domain/notes.ts';
import { callHash, type ConsoleApp, type Filters } from '../app.ts';
import { formatDateTime, OUTCOME_LABELS } from '../format.ts';

export function callsView(app: ConsoleApp): TemplateResult {
  const { list, session } = app.state;
  const supervisor = session?.role === 'supervisor';
  const calls = app.visibleCalls();
  const topics = [...new Set(list.calls.flatMap((c) => c.notes.topics))].sort();
  const errorOf = (key: keyof Filters) => list.filterErrors[key];
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void app.applyFilters();
  };
  const input = (key: keyof Filters) => (event: Event) => app.setFilter(key, (event.target as HTMLInputElement).value as never);

  return html`
    <h1 id="main-heading" tabindex="-1">${supervisor ? 'All calls' : 'Your calls'}</h1>
    <form class="filters" role="search" aria-label="Filter calls" @submit=${onSubmit}>
      ${supervisor
        ? html`<div class="field">
            <label for="filter-agent">Agent</label>
            <input id="filter-agent" type="text" .value=${list.filters.agentId} @input=${input('agentId')} placeholder="any agent" maxlength="128" />
          </div>`
        : nothing}
      <div class="field">
        <label for="filter-from">From</label>
        <input id="filter-from" type="date" .value=${list.filters.from} @input=${input('from')} />
      </div>
      <div class="field">
        <label for="filter-to">To</label>
        <input id="filter-to" type="date" .value=${list.filters.to} @input=${input('to')} aria-invalid=${errorOf('to') ? 'true' : nothing} aria-describedby=${errorOf('to') ? 'filter-to-error' : nothing} />
        ${errorOf('to') ? html`<p class="field-error" id="filter-to-error">${errorOf('to')}</p>` : nothing}
      </div>
      <div class="field">
        <label for="filter-topic">Topic</label>
        <input id="filter-topic" type="text" list="topic-options" .value=${list.filters.topic} @input=${input('topic')} placeholder="any topic" aria-invalid=${errorOf('topic') ? 'true' : nothing} aria-describedby=${errorOf('topic') ? 'filter-topic-error' : nothing} />
        <datalist id="topic-options">${topics.map((t) => html`<option value=${t}></option>`)}</datalist>
        ${errorOf('topic') ? html`<p class="field-error" id="filter-topic-error">${errorOf('topic')}</p>` : nothing}
      </div>
      <div class="field">
        <label for="filter-outcome">Outcome</label>
        <select id="filter-outcome" @change=${input('outcome')} .value=${list.filters.outcome}>
          <option value="" ?selected=${list.filters.outcome === ''}>any outcome</option>
          ${OutcomeSchema.options.map((o) => html`<option value=${o} ?selected=${list.filters.outcome === o}>${OUTCOME_LABELS[o]}</option>`)}
        </select>
      </div>
      <div class="filter-actions">
        <button type="submit" class="primary">Apply filters</button>
        <button type="button" class="quiet" @click=${() => void app.resetFilters()}>Clear</button>
      </div>
    </form>

    ${list.error ? html`<p class="notice notice-error" role="alert">Could not load calls: ${list.error}</p>` : nothing}

    <div class="table-wrap" role="region" aria-label="Calls" tabindex="0" aria-busy=${list.loading ? 'true' : 'false'}>
      <table class="calls">
        <caption>
          ${list.loading
            ? 'Loading calls…'
            : html`${calls.length} call${calls.length === 1 ? '' : 's'} on page ${list.pageIndex + 1}${list.applied.outcome ? html`, outcome ${OUTCOME_LABELS[list.applied.outcome]}` : nothing}. Newest first.`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Call</th>
            ${supervisor ? html`<th scope="col">Agent</th>` : nothing}
            <th scope="col">Queue</th>
            <th scope="col">Topics</th>
            <th scope="col">Outcome</th>
            <th scope="col"><abbr title="Action items">Actions</abbr></th>
            <th scope="col">Rated</th>
          </tr>
        </thead>
        <tbody>
          ${calls.map(
            (call) => html`<tr>
              <td class="nowrap">${formatDateTime(call.startedAt)}</td>
              <td><a href=${callHash(call.callId)} data-call-link>${call.callId}</a></td>
              ${supervisor ? html`<td>${call.agentId}</td>` : nothing}
              <td>${call.queue ?? '—'}</td>
              <td>${call.notes.topics.map((t) => html`<span class="chip">${t}</span> `)}</td>
              <td><span class="outcome outcome-${call.notes.outcome}">${OUTCOME_LABELS[call.notes.outcome] ?? call.notes.outcome}</span></td>
              <td class="num">${call.notes.actionItems.length}</td>
              <td>${app.state.rated.has(call.callId) ? html`<span class="rated">✓<span class="visually-hidden"> rated</span></span>` : html`<span class="visually-hidden">not rated</span>`}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${!list.loading && list.loaded && calls.length === 0 ? html`<p class="empty">No calls match these filters.</p>` : nothing}
    </div>

    <nav class="pager" aria-label="Pages of calls">
      <button type="button" @click=${() => void app.goToPage(list.pageIndex - 1)} ?disabled=${list.pageIndex === 0 || list.loading}>← Newer</button>
      <span>Page ${list.pageIndex + 1}</span>
      <button type="button" @click=${() => void app.nextPage()} ?disabled=${!list.nextCursor || list.loading}>Older →</button>
    </nav>
    <p class="hint">Press <kbd>j</kbd>/<kbd>k</kbd> to move between calls and <kbd>Enter</kbd> to open one; <kbd>?</kbd> lists every shortcut.</p>
  `;
}
