import { render } from 'lit-html';
import type { Outcome } from '../../domain/notes.ts';
import { ApiClient, ApiProblem, isNotAvailableYet, type CallDetail, type CallSummary, type CuratedDatasetRow, type RegisteredModel, type TranscriptTurn } from './api.ts';
import { clearSession, saveSession, signInLocally, signOutUrl, startCognitoSignIn, type Role, type Session } from './auth.ts';
import { apiBase, type ConsoleConfig } from './config.ts';
import { startOfDay, startOfNextDay } from './format.ts';
import { handleShortcut } from './keyboard.ts';
import { draftFromNotes, fieldKey, firstErrorKey, validateDraft, type ActionItemDraft, type FieldErrors, type NoteField, type RatingDraft, type Thumb } from './rating-draft.ts';
import { shell } from './views/shell.ts';

export type Route = { name: 'calls' } | { name: 'call'; callId: string } | { name: 'datasets' } | { name: 'models' };

export interface Filters {
  agentId: string;
  /** yyyy-mm-dd from the date inputs. */
  from: string;
  to: string;
  topic: string;
  /** Filtered here, on the page's calls: the API has no outcome filter. */
  outcome: '' | Outcome;
}

const NO_FILTERS: Filters = { agentId: '', from: '', to: '', topic: '', outcome: '' };
export const PAGE_SIZE = 25;

export interface ListState {
  filters: Filters;
  applied: Filters;
  /** Cursor of each page seen so far; page 0 has none. */
  cursors: (string | undefined)[];
  pageIndex: number;
  calls: CallSummary[];
  nextCursor: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  filterErrors: Partial<Record<keyof Filters, string>>;
}

export type TranscriptState = { state: 'loading' } | { state: 'ready'; turns: TranscriptTurn[] } | { state: 'unavailable' } | { state: 'error'; message: string };

export interface CallState {
  callId: string;
  detail: CallDetail | null;
  transcript: TranscriptState;
  draft: RatingDraft | null;
  errors: FieldErrors;
  editing: boolean;
  saving: boolean;
  loading: boolean;
  error: string | null;
}

export type Remote<T> = { state: 'idle' | 'loading' } | { state: 'ready'; value: T } | { state: 'unavailable' } | { state: 'error'; message: string };

export interface AppState {
  session: Session | null;
  route: Route;
  list: ListState;
  call: CallState | null;
  datasets: Remote<CuratedDatasetRow[]>;
  models: Remote<RegisteredModel[]>;
  busy: string | null;
  status: { message: string; tone: 'info' | 'success' | 'error' } | null;
  signInError: string | null;
  knownAgents: string[];
  /** Calls this session rated, or found rated when looking for the next unrated one. */
  rated: Set<string>;
}

export class ConsoleApp {
  readonly state: AppState;
  readonly api: ApiClient;
  private focusAfterRender: string | null = null;
  private loadSeq = 0;

  constructor(
    private readonly root: HTMLElement,
    readonly config: ConsoleConfig,
    session: Session | null,
  ) {
    this.state = {
      session,
      route: parseRoute(location.hash),
      list: { filters: { ...NO_FILTERS }, applied: { ...NO_FILTERS }, cursors: [undefined], pageIndex: 0, calls: [], nextCursor: null, loading: false, loaded: false, error: null, filterErrors: {} },
      call: null,
      datasets: { state: 'idle' },
      models: { state: 'idle' },
      busy: null,
      status: null,
      signInError: null,
      knownAgents: [],
      rated: new Set(),
    };
    this.api = new ApiClient(apiBase(config), () => this.state.session?.token ?? null, () => this.sessionExpired());
  }

  start(): void {
    window.addEventListener('hashchange', () => void this.onRoute());
    document.addEventListener('keydown', (event) => handleShortcut(this, event));
    if (!this.state.session && this.config.mode === 'local') void this.loadKnownAgents();
    void this.onRoute();
  }

  update(): void {
    render(shell(this), this.root);
    if (this.focusAfterRender) {
      const target = this.root.querySelector<HTMLElement>(this.focusAfterRender);
      if (target) {
        target.focus();
        this.focusAfterRender = null;
      }
    }
  }

  focus(selector: string): void {
    this.focusAfterRender = selector;
  }

  announce(message: string, tone: 'info' | 'success' | 'error' = 'info'): void {
    this.state.status = { message, tone };
    this.update();
  }

  // ---- sign-in ----------------------------------------------------------------------------

  async signInLocal(agentId: string, role: Role): Promise<void> {
    this.state.signInError = null;
    this.state.busy = 'Signing in…';
    this.update();
    try {
      const session = await signInLocally(agentId.trim(), role);
      this.startSession(session);
    } catch (error) {
      this.state.signInError = (error as Error).message;
      this.focus('#signin-error');
    } finally {
      this.state.busy = null;
      this.update();
    }
  }

  async signInCognito(): Promise<void> {
    if (this.config.mode === 'cognito') await startCognitoSignIn(this.config);
  }

  startSession(session: Session): void {
    saveSession(session);
    this.state.session = session;
    this.state.status = { message: `Signed in as ${session.agentId} (${session.role}).`, tone: 'info' };
    this.resetData();
    void this.onRoute();
  }

  signOut(): void {
    clearSession();
    this.state.session = null;
    this.resetData();
    this.state.status = { message: 'Signed out.', tone: 'info' };
    const logout = signOutUrl(this.config);
    if (logout) {
      location.assign(logout);
      return;
    }
    void this.loadKnownAgents();
    this.focus('#main-heading');
    this.update();
  }

  private sessionExpired(): void {
    clearSession();
    this.state.session = null;
    this.state.signInError = 'Your session has expired: please sign in again.';
    this.resetData();
    this.focus('#main-heading');
    this.update();
  }

  private resetData(): void {
    const { list } = this.state;
    Object.assign(list, { filters: { ...NO_FILTERS }, applied: { ...NO_FILTERS }, cursors: [undefined], pageIndex: 0, calls: [], nextCursor: null, loaded: false, error: null });
    this.state.call = null;
    this.state.datasets = { state: 'idle' };
    this.state.models = { state: 'idle' };
    this.state.rated = new Set();
  }

  private async loadKnownAgents(): Promise<void> {
    try {
      const response = await fetch('./_local/identities', { cache: 'no-store' });
      if (!response.ok) return;
      const body = (await response.json()) as { agents?: string[] };
      this.state.knownAgents = body.agents ?? [];
      this.update();
    } catch {
      // Only a convenience: the agent id can be typed.
    }
  }

  // ---- routing ----------------------------------------------------------------------------

  navigate(hash: string): void {
    if (location.hash === hash) void this.onRoute();
    else location.hash = hash;
  }

  private async onRoute(): Promise<void> {
    const route = parseRoute(location.hash);
    const changed = JSON.stringify(route) !== JSON.stringify(this.state.route);
    this.state.route = route;
    if (changed) {
      this.focus('#main-heading');
      // A page's own news (sign-in, hints) does not follow to the next page; save results and errors do.
      if (this.state.status?.tone === 'info') this.state.status = null;
    }
    this.update();
    if (!this.state.session) return;
    if (route.name === 'calls' && !this.state.list.loaded) await this.loadList();
    if (route.name === 'call' && this.state.call?.callId !== route.callId) await this.openCall(route.callId);
    if (route.name === 'datasets' && this.state.datasets.state === 'idle') await this.loadDatasets();
    if (route.name === 'models' && this.state.models.state === 'idle') await this.loadModels();
  }

  // ---- calls list -------------------------------------------------------------------------

  setFilter<K extends keyof Filters>(key: K, value: Filters[K]): void {
    this.state.list.filters[key] = value;
    if (key === 'outcome') this.state.list.applied.outcome = value as Filters['outcome']; // client-side: applies at once
    this.update();
  }

  async applyFilters(): Promise<void> {
    const { list } = this.state;
    const f = list.filters;
    list.filterErrors = {};
    if (f.from && f.to && f.from > f.to) list.filterErrors.to = 'The end date must be on or after the start date.';
    if (f.topic.length > 60) list.filterErrors.topic = 'A topic is at most 60 characters.';
    if (Object.keys(list.filterErrors).length) {
      this.focus(list.filterErrors.to ? '#filter-to' : '#filter-topic');
      this.update();
      return;
    }
    list.applied = { ...f };
    list.cursors = [undefined];
    list.pageIndex = 0;
    await this.loadList();
  }

  async resetFilters(): Promise<void> {
    this.state.list.filters = { ...NO_FILTERS };
    await this.applyFilters();
  }

  visibleCalls(): CallSummary[] {
    const { calls, applied } = this.state.list;
    return applied.outcome ? calls.filter((c) => c.notes.outcome === applied.outcome) : calls;
  }

  async goToPage(index: number): Promise<void> {
    const { list } = this.state;
    if (index < 0 || index > list.cursors.length - 1) return;
    list.pageIndex = index;
    await this.loadList();
  }

  async nextPage(): Promise<void> {
    const { list } = this.state;
    if (!list.nextCursor) return;
    list.cursors[list.pageIndex + 1] = list.nextCursor;
    await this.goToPage(list.pageIndex + 1);
  }

  async loadList(): Promise<void> {
    const { list } = this.state;
    const seq = ++this.loadSeq;
    list.loading = true;
    list.error = null;
    this.update();
    const f = list.applied;
    try {
      const page = await this.api.listCalls({
        agentId: this.state.session?.role === 'supervisor' && f.agentId.trim() ? f.agentId.trim() : undefined,
        from: f.from ? startOfDay(f.from) : undefined,
        to: f.to ? startOfNextDay(f.to) : undefined,
        topic: f.topic.trim() || undefined,
        limit: PAGE_SIZE,
        cursor: list.cursors[list.pageIndex],
      });
      if (seq !== this.loadSeq) return;
      list.calls = page.calls;
      list.nextCursor = page.nextCursor;
      list.loaded = true;
      for (const call of page.calls) if (call.myRating) this.state.rated.add(call.callId);
    } catch (error) {
      if (seq !== this.loadSeq) return;
      list.error = describe(error);
      if (error instanceof ApiProblem && error.field) {
        const key = error.field as keyof Filters;
        if (key in NO_FILTERS) list.filterErrors[key] = error.detail;
      }
    } finally {
      if (seq === this.loadSeq) {
        list.loading = false;
        this.update();
      }
    }
  }

  // ---- one call ---------------------------------------------------------------------------

  async openCall(callId: string, prefetched?: CallDetail): Promise<void> {
    const call: CallState = { callId, detail: null, transcript: { state: 'loading' }, draft: null, errors: {}, editing: false, saving: false, loading: true, error: null };
    this.state.call = call;
    this.update();
    const transcript = this.api.getTranscript(callId).then(
      (t): TranscriptState => ({ state: 'ready', turns: t.turns }),
      (error): TranscriptState => (isNotAvailableYet(error) ? { state: 'unavailable' } : { state: 'error', message: describe(error) }),
    );
    try {
      const detail = prefetched ?? (await this.api.getCall(callId));
      if (this.state.call !== call) return;
      call.detail = detail;
      call.draft = draftFromNotes(detail.notes, detail.myRating);
      if (detail.myRating) this.state.rated.add(callId);
    } catch (error) {
      if (this.state.call !== call) return;
      call.error = describe(error);
    } finally {
      if (this.state.call === call) {
        call.loading = false;
        this.update();
      }
    }
    const loaded = await transcript;
    if (this.state.call !== call) return;
    call.transcript = loaded;
    this.update();
  }

  /** j/k: the next or previous call of the list, across pages. */
  async neighbour(offset: 1 | -1): Promise<void> {
    const current = this.state.route.name === 'call' ? this.state.route.callId : undefined;
    if (!this.state.list.loaded) await this.loadList();
    let calls = this.visibleCalls();
    const index = current ? calls.findIndex((c) => c.callId === current) : -1;
    let target = calls[index + offset];
    if (!target && offset === 1 && this.state.list.nextCursor) {
      await this.nextPage();
      calls = this.visibleCalls();
      target = calls[0];
    } else if (!target && offset === -1 && this.state.list.pageIndex > 0) {
      await this.goToPage(this.state.list.pageIndex - 1);
      calls = this.visibleCalls();
      target = calls[calls.length - 1];
    }
    if (target) this.navigate(callHash(target.callId));
    else this.announce(offset === 1 ? 'This is the last call in the list.' : 'This is the first call in the list.');
  }

  updateDraft(patch: Partial<RatingDraft>): void {
    const call = this.state.call;
    if (!call?.draft) return;
    Object.assign(call.draft, patch);
    for (const key of Object.keys(patch)) clearErrors(call.errors, key);
    this.update();
  }

  setScore(score: number): void {
    const call = this.state.call;
    if (!call?.draft) return;
    call.draft.score = score;
    delete call.errors.score;
    this.update();
  }

  setThumb(field: NoteField, thumb: Thumb): void {
    const call = this.state.call;
    if (!call?.draft) return;
    call.draft.thumbs[field] = call.draft.thumbs[field] === thumb ? undefined : thumb;
    delete call.errors[`fieldScores.${field}`];
    this.update();
  }

  updateActionItem(index: number, patch: Partial<ActionItemDraft>): void {
    const item = this.state.call?.draft?.actionItems[index];
    if (!item) return;
    Object.assign(item, patch);
    for (const key of Object.keys(patch)) delete this.state.call!.errors[`corrections.actionItems.${index}.${key}`];
    delete this.state.call!.errors['corrections.actionItems'];
    this.update();
  }

  addActionItem(): void {
    const draft = this.state.call?.draft;
    if (!draft) return;
    draft.actionItems.push({ owner: 'agent', text: '', due: '' });
    this.focus(`#ai-${draft.actionItems.length - 1}-text`);
    this.update();
  }

  removeActionItem(index: number): void {
    const call = this.state.call;
    if (!call?.draft) return;
    call.draft.actionItems.splice(index, 1);
    clearErrors(call.errors, 'actionItems');
    this.focus('#add-action-item');
    this.update();
  }

  toggleEdit(force?: boolean): void {
    const call = this.state.call;
    if (!call?.draft) return;
    call.editing = force ?? !call.editing;
    this.focus(call.editing ? '#corr-summary' : '#edit-toggle');
    this.update();
  }

  /** Undo every correction: back to what the model wrote. */
  resetCorrections(): void {
    const call = this.state.call;
    if (!call?.draft || !call.detail) return;
    const fresh = draftFromNotes(call.detail.notes);
    Object.assign(call.draft, { summary: fresh.summary, topics: fresh.topics, actionItems: fresh.actionItems, outcome: fresh.outcome });
    clearErrors(call.errors, 'corrections');
    this.announce('Corrections cleared: the notes are as the model wrote them.');
  }

  async save(): Promise<void> {
    const call = this.state.call;
    if (!call?.draft || !call.detail || call.saving) return;
    const notes = call.detail.notes;
    const validation = validateDraft(call.draft, notes);
    if (!validation.ok) {
      this.showFieldErrors(call, validation.errors);
      this.announce(`Not saved: ${Object.keys(validation.errors).length === 1 ? 'one field needs' : 'some fields need'} attention.`, 'error');
      return;
    }
    call.errors = {};
    call.saving = true;
    this.announce('Saving rating…');
    try {
      const rating = await this.api.rateCall(call.callId, validation.input);
      this.state.rated.add(call.callId);
      const corrected = Object.keys(rating.corrections ?? {}).length;
      call.saving = false;
      this.announce(`Rating saved for call ${call.callId}: ${rating.score} of 5${corrected ? `, ${corrected} field${corrected > 1 ? 's' : ''} corrected` : ''}.`, 'success');
      await this.openNextUnrated(call.callId);
    } catch (error) {
      call.saving = false;
      if (error instanceof ApiProblem && error.status === 400 && error.field) {
        this.showFieldErrors(call, { [fieldKey(error.field, call.draft.actionItems.length)]: error.detail });
        this.announce(`Not saved: ${error.detail}`, 'error');
      } else {
        this.announce(`Not saved: ${describe(error)}`, 'error');
      }
    }
  }

  private showFieldErrors(call: CallState, errors: FieldErrors): void {
    call.errors = errors;
    if (Object.keys(errors).some((key) => key.startsWith('corrections.'))) call.editing = true;
    const first = firstErrorKey(errors, call.draft?.actionItems.length ?? 0);
    if (first) this.focus(`[data-field="${first}"]`);
  }

  /** After saving: the next call in the list this rater has not rated (wrapping to the page's start), or back to the list. */
  private async openNextUnrated(afterCallId: string): Promise<void> {
    if (!this.state.list.loaded) await this.loadList();
    for (let pages = 0; pages < 5; pages++) {
      const calls = this.visibleCalls();
      const index = calls.findIndex((c) => c.callId === afterCallId);
      const candidates = index >= 0 ? [...calls.slice(index + 1), ...(pages === 0 ? calls.slice(0, index) : [])] : calls;
      for (const candidate of candidates) {
        if (this.state.rated.has(candidate.callId) || candidate.myRating) continue;
        const detail = candidate.myRating === null ? undefined : await this.api.getCall(candidate.callId).catch(() => undefined);
        if (detail?.myRating) {
          this.state.rated.add(candidate.callId);
          continue;
        }
        // Opening first makes the hashchange find the call already open, so it is fetched once.
        const opening = detail ? this.openCall(candidate.callId, detail) : undefined;
        location.hash = callHash(candidate.callId);
        await opening;
        return;
      }
      if (!this.state.list.nextCursor) break;
      await this.nextPage();
      afterCallId = '';
    }
    const status = this.state.status;
    this.state.status = { message: `${status?.message ?? 'Saved.'} Every call in this list is rated.`, tone: 'success' };
    this.navigate('#/calls');
  }

  // ---- supervisors ------------------------------------------------------------------------

  async loadDatasets(): Promise<void> {
    this.state.datasets = { state: 'loading' };
    this.update();
    try {
      const list = await this.api.listDatasets();
      this.state.datasets = { state: 'ready', value: list.datasets };
    } catch (error) {
      this.state.datasets = isNotAvailableYet(error) ? { state: 'unavailable' } : { state: 'error', message: describe(error) };
    }
    this.update();
  }

  async curateNow(): Promise<void> {
    this.state.busy = 'Curating a dataset version…';
    this.announce('Curating a dataset version from the latest ratings…');
    try {
      const result = await this.api.curateNow();
      this.state.busy = null;
      this.announce(
        result.status === 'empty'
          ? `No new dataset version: none of the ${result.counts.considered} rated calls in the window made a training record.`
          : `Dataset version ${result.dataset.version} ${result.status === 'existing' ? 'already existed' : 'created'}: ${result.dataset.counts.train} train and ${result.dataset.counts.validation} validation records.`,
        'success',
      );
      await this.loadDatasets();
    } catch (error) {
      this.state.busy = null;
      this.announce(isNotAvailableYet(error) ? 'Curating from the console is not available yet (POST /datasets).' : `Curation failed: ${describe(error)}`, 'error');
    }
  }

  async loadModels(): Promise<void> {
    this.state.models = { state: 'loading' };
    this.update();
    try {
      const list = await this.api.listModels();
      this.state.models = { state: 'ready', value: list.models };
    } catch (error) {
      this.state.models = isNotAvailableYet(error) ? { state: 'unavailable' } : { state: 'error', message: describe(error) };
    }
    this.update();
  }

  async approveModel(model: RegisteredModel): Promise<void> {
    if (!confirm(`Approve model version ${model.version} and make it the champion that writes new call notes?`)) return;
    await this.modelAction(() => this.api.approveModel(model.id), `Model version ${model.version} approved: it is the champion now.`);
  }

  async rollbackModel(): Promise<void> {
    if (!confirm('Roll back to the previous champion model? The current champion is retired.')) return;
    await this.modelAction(() => this.api.rollbackModel(), 'Rolled back to the previous champion.');
  }

  private async modelAction(action: () => Promise<unknown>, done: string): Promise<void> {
    this.state.busy = 'Updating the model registry…';
    this.update();
    try {
      await action();
      this.state.busy = null;
      this.announce(done, 'success');
      await this.loadModels();
    } catch (error) {
      this.state.busy = null;
      this.announce(isNotAvailableYet(error) ? 'This model registry action is not available yet.' : `Not done: ${describe(error)}`, 'error');
    }
  }
}

export const callHash = (callId: string): string => `#/calls/${encodeURIComponent(callId)}`;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const call = /^\/calls\/([^/?]+)/.exec(path);
  if (call) return { name: 'call', callId: decodeURIComponent(call[1]!) };
  if (path.startsWith('/datasets')) return { name: 'datasets' };
  if (path.startsWith('/models')) return { name: 'models' };
  return { name: 'calls' };
}

function clearErrors(errors: FieldErrors, field: string): void {
  for (const key of Object.keys(errors)) if (key === field || key.startsWith(`corrections.${field}`) || key === `corrections` || (field === 'corrections' && key.startsWith('corrections.'))) delete errors[key];
}

export function describe(error: unknown): string {
  if (error instanceof ApiProblem) return error.status ? `${error.detail} (HTTP ${error.status})` : error.detail;
  return (error as Error)?.message ?? String(error);
}
