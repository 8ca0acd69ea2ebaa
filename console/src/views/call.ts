import { html, nothing, type TemplateResult } from 'lit-html';
import { OutcomeSchema, type CallNotes } from '../../../domain/notes.ts';
import type { CallDetail } from '../api.ts';
import type { CallState, ConsoleApp } from '../app.ts';
import { formatDate, formatDateTime, formatMs, OUTCOME_LABELS, OWNER_LABELS } from '../format.ts';
import { correctedFields, NOTE_FIELDS, topicsOf, type NoteField, type RatingDraft } from '../rating-draft.ts';

const FIELD_LABELS: Record<NoteField, string> = { summary: 'Summary', topics: 'Topics', actionItems: 'Action items', outcome: 'Outcome' };
const SCORE_HINTS = ['', 'unusable', 'poor', 'acceptable', 'good', 'perfect'];

export function callView(app: ConsoleApp): TemplateResult {
  const call = app.state.call;
  const callId = app.state.route.name === 'call' ? app.state.route.callId : '';
  if (!call || call.loading) {
    return html`<h1 id="main-heading" tabindex="-1">Call ${callId}</h1><p aria-busy="true">Loading the call…</p>`;
  }
  if (call.error || !call.detail || !call.draft) {
    return html`<h1 id="main-heading" tabindex="-1">Call ${callId}</h1>
      <p class="notice notice-error" role="alert">Could not load this call: ${call.error}</p>
      <p><a href="#/calls">Back to the calls</a></p>`;
  }
  const detail = call.detail;
  return html`
    <div class="call-head">
      <div>
        <p class="crumbs"><a href="#/calls">Calls</a> <span aria-hidden="true">›</span></p>
        <h1 id="main-heading" tabindex="-1">Call ${detail.callId}</h1>
        <p class="meta">
          <span>Agent <strong>${detail.agentId}</strong></span>
          <span>Queue <strong>${detail.queue ?? '—'}</strong></span>
          <span>Started <strong>${formatDateTime(detail.startedAt)}</strong></span>
          ${detail.language ? html`<span>Language <strong>${detail.language}</strong></span>` : nothing}
        </p>
      </div>
      <nav class="call-nav" aria-label="Other calls">
        <button type="button" @click=${() => void app.neighbour(-1)} aria-keyshortcuts="k">← Previous <kbd>k</kbd></button>
        <button type="button" @click=${() => void app.neighbour(1)} aria-keyshortcuts="j">Next <kbd>j</kbd> →</button>
      </nav>
    </div>
    <div class="call-grid">
      ${transcriptPanel(call)}
      <form class="notes-column" novalidate aria-label="Rate and correct the notes" @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        void app.save();
      }}>
        ${notesPanel(app, call, detail)}
        ${ratingForm(app, call, detail)}
      </form>
    </div>
  `;
}

function transcriptPanel(call: CallState): TemplateResult {
  const detail = call.detail!;
  // Only mappings worth telling: a diarized speaker label given a role ("spk_0 → agent").
  const roles = Object.entries(detail.transcript.speakerRoles ?? {}).filter(([speaker, role]) => speaker !== role);
  const body = (() => {
    switch (call.transcript.state) {
      case 'loading':
        return html`<p aria-busy="true">Loading the transcript…</p>`;
      case 'ready':
        return html`<ol class="turns">
          ${call.transcript.turns.map(
            (turn) => html`<li class="turn turn-${turn.role}">
              <span class="speaker">${turn.role === 'agent' ? 'Agent' : turn.role === 'customer' ? 'Customer' : 'Other'}${turn.startMs !== undefined ? html` <span class="time">${formatMs(turn.startMs)}</span>` : nothing}</span>
              <p>${turn.text}</p>
            </li>`,
          )}
        </ol>`;
      case 'unavailable':
        return html`<div class="placeholder">
          <p><strong>The transcript is not available here yet.</strong> The API does not serve transcripts so far; the console shows the redacted transcript, turn by turn with speaker roles, as soon as it does.</p>
          <p class="hint">Stored: ${detail.transcript.turnCount} turns (${detail.transcript.format} format)${roles.length ? html`; speakers ${roles.map(([speaker, role], i) => html`${i ? ', ' : ''}<code>${speaker}</code> → ${role}`)}` : nothing}.</p>
        </div>`;
      case 'error':
        return html`<p class="notice notice-error">Could not load the transcript: ${call.transcript.message}</p>`;
    }
  })();
  // Focusable: it scrolls on its own, so keyboard users must be able to reach and scroll it.
  return html`<section class="card transcript" aria-labelledby="transcript-heading" tabindex="0">
    <h2 id="transcript-heading">Transcript <span class="hint">(redacted)</span></h2>
    ${body}
  </section>`;
}

function notesPanel(app: ConsoleApp, call: CallState, detail: CallDetail): TemplateResult {
  const draft = call.draft!;
  const corrected = new Set(correctedFields(draft, detail.notes));
  const shown: CallNotes = {
    summary: draft.summary,
    topics: topicsOf(draft.topics),
    actionItems: draft.actionItems.map((a) => ({ owner: a.owner, text: a.text, due: a.due || null })),
    outcome: draft.outcome,
  };
  const tag = (field: NoteField) => (corrected.has(field) ? html` <span class="tag-corrected">corrected</span>` : nothing);
  const original = (field: NoteField, content: TemplateResult) =>
    corrected.has(field) ? html`<details class="original"><summary>What the model wrote</summary>${content}</details>` : nothing;
  return html`<section class="card notes" aria-labelledby="notes-heading">
    <div class="card-head">
      <h2 id="notes-heading">Notes</h2>
      <div class="edit-bar">
        ${corrected.size ? html`<button type="button" class="quiet" @click=${() => app.resetCorrections()}>Undo corrections</button>` : nothing}
        <button type="button" id="edit-toggle" aria-expanded=${call.editing ? 'true' : 'false'} aria-controls="corrections" aria-keyshortcuts="e" @click=${() => app.toggleEdit()}>
          ${call.editing ? 'Done editing' : 'Correct the notes'} <kbd>e</kbd>
        </button>
      </div>
    </div>
    <p class="model">
      Written by <strong>${detail.model.id}</strong>, version <strong>${detail.model.version}</strong>
      <span class="hint">· ${formatDateTime(detail.processedAt)} · ${detail.usage.inputTokens + detail.usage.outputTokens} tokens · ${detail.latencyMs < 1000 ? `${detail.latencyMs} ms` : `${(detail.latencyMs / 1000).toFixed(1)} s`}</span>
    </p>
    ${call.editing
      ? html`<div id="corrections">
          <p class="hint">Change what the model got wrong; only changed fields are sent as corrections. <kbd>Esc</kbd> leaves a field, <kbd>s</kbd> saves.</p>
          ${correctionFields(app, call, fieldHelpers(app, call))}
        </div>`
      : html`
          <h3>Summary${tag('summary')}</h3>
          <p class="summary">${shown.summary}</p>
          ${original('summary', html`<p>${detail.notes.summary}</p>`)}
          <h3>Topics${tag('topics')}</h3>
          <p>${shown.topics.map((t) => html`<span class="chip">${t}</span> `)}</p>
          ${original('topics', html`<p>${detail.notes.topics.join(', ')}</p>`)}
          <h3>Action items${tag('actionItems')}</h3>
          ${actionItemsTable(shown)}
          ${original('actionItems', actionItemsTable(detail.notes))}
          <h3>Outcome${tag('outcome')}</h3>
          <p><span class="outcome outcome-${shown.outcome}">${OUTCOME_LABELS[shown.outcome]}</span></p>
          ${original('outcome', html`<p>${OUTCOME_LABELS[detail.notes.outcome]}</p>`)}
        `}
    <p class="ratings-summary">
      ${detail.ratings.count
        ? html`Rated ${detail.ratings.count} time${detail.ratings.count > 1 ? 's' : ''}, mean ${detail.ratings.meanScore} of 5${detail.ratings.corrected ? html`, ${detail.ratings.corrected} with corrections` : nothing}.`
        : 'Not rated yet.'}
      ${detail.myRating ? html`You gave ${detail.myRating.score} of 5 on ${formatDateTime(detail.myRating.ratedAt)}; saving again replaces it.` : nothing}
    </p>
    ${app.state.rated.has(detail.callId) && !detail.myRating ? html`<p class="hint">You rated this call in this session.</p>` : nothing}
  </section>`;
}

function actionItemsTable(notes: CallNotes): TemplateResult {
  if (!notes.actionItems.length) return html`<p class="hint">No action items.</p>`;
  return html`<table class="actions">
    <thead><tr><th scope="col">Owner</th><th scope="col">Action</th><th scope="col">Due</th></tr></thead>
    <tbody>
      ${notes.actionItems.map((a) => html`<tr><td>${OWNER_LABELS[a.owner]}</td><td>${a.text}</td><td class="nowrap">${formatDate(a.due)}</td></tr>`)}
    </tbody>
  </table>`;
}

function fieldHelpers(app: ConsoleApp, call: CallState): FieldHelpers {
  const err = (key: string) => call.errors[key];
  const errId = (key: string) => `err-${key.replace(/\./g, '-')}`;
  return {
    err,
    describedBy: (key, hint) => [hint, err(key) ? errId(key) : undefined].filter(Boolean).join(' ') || nothing,
    errorText: (key) => (err(key) ? html`<p class="field-error" id=${errId(key)}>${err(key)}</p>` : nothing),
    text: (key) => (event: Event) => app.updateDraft({ [key]: (event.target as HTMLInputElement).value } as Partial<RatingDraft>),
  };
}

function ratingForm(app: ConsoleApp, call: CallState, detail: CallDetail): TemplateResult {
  const draft = call.draft!;
  const { err, describedBy, errorText, text } = fieldHelpers(app, call);

  return html`<section class="card rate" aria-labelledby="rate-heading">
    <h2 id="rate-heading">Rate these notes</h2>
    ${err('form') ? html`<p class="field-error" data-field="form" tabindex="-1">${err('form')}</p>` : nothing}
    <fieldset class="score" data-field="score" tabindex="-1" aria-describedby=${describedBy('score', 'score-hint')} aria-invalid=${err('score') ? 'true' : nothing}>
      <legend>Overall score</legend>
      <div class="segmented">
        ${[1, 2, 3, 4, 5].map(
          (n) => html`<label class="seg">
            <input type="radio" name="score" value=${n} .checked=${draft.score === n} @change=${() => app.setScore(n)} aria-keyshortcuts=${String(n)} />
            <span><strong>${n}</strong> <small>${SCORE_HINTS[n]}</small></span>
          </label>`,
        )}
      </div>
      <p class="hint" id="score-hint">Keys <kbd>1</kbd>–<kbd>5</kbd>.</p>
      ${errorText('score')}
    </fieldset>

    <fieldset class="thumbs">
      <legend>Each part of the notes <span class="hint">(optional)</span></legend>
      ${NOTE_FIELDS.map((field) => {
        const thumb = draft.thumbs[field];
        const key = `fieldScores.${field}`;
        return html`<div class="thumb-row" role="group" aria-labelledby="thumb-${field}" data-field=${key} tabindex="-1">
          <span id="thumb-${field}" class="thumb-label">${FIELD_LABELS[field]}</span>
          <button type="button" class="thumb thumb-up" aria-pressed=${thumb === 'up' ? 'true' : 'false'} @click=${() => app.setThumb(field, 'up')}>
            <span aria-hidden="true">✓</span> Right
          </button>
          <button type="button" class="thumb thumb-down" aria-pressed=${thumb === 'down' ? 'true' : 'false'} @click=${() => app.setThumb(field, 'down')}>
            <span aria-hidden="true">✗</span> Wrong
          </button>
          ${errorText(key)}
        </div>`;
      })}
    </fieldset>

    <div class="field">
      <label for="rating-comment">Comment <span class="hint">(optional)</span></label>
      <textarea id="rating-comment" data-field="comment" rows="2" maxlength="2000" .value=${draft.comment} @input=${text('comment')} aria-invalid=${err('comment') ? 'true' : nothing} aria-describedby=${describedBy('comment')}></textarea>
      ${errorText('comment')}
    </div>

    <div class="save-bar">
      <button type="submit" id="save-rating" class="primary" ?disabled=${call.saving} aria-keyshortcuts="s">${call.saving ? 'Saving…' : 'Save rating'} <kbd>s</kbd></button>
      <span class="hint">${detail.myRating ? 'Replaces your earlier rating; then' : 'Then'} the next unrated call opens.</span>
    </div>
  </section>`;
}

interface FieldHelpers {
  err: (key: string) => string | undefined;
  describedBy: (key: string, hint?: string) => string | typeof nothing;
  errorText: (key: string) => TemplateResult | typeof nothing;
  text: (key: keyof RatingDraft) => (event: Event) => void;
}

function correctionFields(app: ConsoleApp, call: CallState, h: FieldHelpers): TemplateResult {
  const draft = call.draft!;
  const invalid = (key: string) => (h.err(key) ? 'true' : nothing);
  return html`
    <div class="field">
      <label for="corr-summary">Summary</label>
      <textarea id="corr-summary" data-field="corrections.summary" rows="5" .value=${draft.summary} @input=${h.text('summary')} aria-invalid=${invalid('corrections.summary')} aria-describedby=${h.describedBy('corrections.summary', 'corr-summary-hint')}></textarea>
      <p class="hint" id="corr-summary-hint">2–5 sentences.</p>
      ${h.errorText('corrections.summary')}
    </div>
    <div class="field">
      <label for="corr-topics">Topics</label>
      <textarea id="corr-topics" data-field="corrections.topics" rows="3" .value=${draft.topics} @input=${h.text('topics')} aria-invalid=${invalid('corrections.topics')} aria-describedby=${h.describedBy('corrections.topics', 'corr-topics-hint')}></textarea>
      <p class="hint" id="corr-topics-hint">One topic a line: 1 to 5 short labels.</p>
      ${h.errorText('corrections.topics')}
    </div>
    <fieldset class="action-items" data-field="corrections.actionItems" tabindex="-1" aria-describedby=${h.describedBy('corrections.actionItems')}>
      <legend>Action items</legend>
      ${draft.actionItems.map((item, i) => {
        const key = (leaf: string) => `corrections.actionItems.${i}.${leaf}`;
        return html`<div class="action-row" role="group" aria-label="Action item ${i + 1}">
          <div class="field">
            <label for="ai-${i}-owner">Owner <span class="visually-hidden">of item ${i + 1}</span></label>
            <select id="ai-${i}-owner" data-field=${key('owner')} @change=${(e: Event) => app.updateActionItem(i, { owner: (e.target as HTMLSelectElement).value as 'agent' })} aria-invalid=${invalid(key('owner'))} aria-describedby=${h.describedBy(key('owner'))}>
              ${Object.entries(OWNER_LABELS).map(([value, label]) => html`<option value=${value} ?selected=${item.owner === value}>${label}</option>`)}
            </select>
            ${h.errorText(key('owner'))}
          </div>
          <div class="field grow">
            <label for="ai-${i}-text">Action <span class="visually-hidden">${i + 1}</span></label>
            <input id="ai-${i}-text" type="text" data-field=${key('text')} maxlength="500" .value=${item.text} @input=${(e: Event) => app.updateActionItem(i, { text: (e.target as HTMLInputElement).value })} aria-invalid=${invalid(key('text'))} aria-describedby=${h.describedBy(key('text'))} />
            ${h.errorText(key('text'))}
          </div>
          <div class="field">
            <label for="ai-${i}-due">Due <span class="visually-hidden">date of item ${i + 1}</span></label>
            <input id="ai-${i}-due" type="date" data-field=${key('due')} .value=${item.due} @input=${(e: Event) => app.updateActionItem(i, { due: (e.target as HTMLInputElement).value })} aria-invalid=${invalid(key('due'))} aria-describedby=${h.describedBy(key('due'))} />
            ${h.errorText(key('due'))}
          </div>
          <button type="button" class="quiet remove" @click=${() => app.removeActionItem(i)}>Remove <span class="visually-hidden">action item ${i + 1}</span></button>
        </div>`;
      })}
      <button type="button" id="add-action-item" @click=${() => app.addActionItem()}>Add an action item</button>
      ${h.errorText('corrections.actionItems')}
    </fieldset>
    <div class="field">
      <label for="corr-outcome">Outcome</label>
      <select id="corr-outcome" data-field="corrections.outcome" @change=${h.text('outcome')} aria-invalid=${invalid('corrections.outcome')} aria-describedby=${h.describedBy('corrections.outcome')}>
        ${OutcomeSchema.options.map((o) => html`<option value=${o} ?selected=${draft.outcome === o}>${OUTCOME_LABELS[o]}</option>`)}
      </select>
      ${h.errorText('corrections.outcome')}
    </div>
  `;
}
