import { CallNotesSchema, type ActionItem, type CallNotes, type Outcome } from '../../domain/notes.ts';
import { RatingInputSchema, type Rating, type RatingInput } from '../../domain/ratings.ts';

/**
 * The rating form's state and its translation into the API's RatingInput, validated with the
 * same zod schemas the API uses (domain/ratings.ts, domain/notes.ts). No DOM here, so it is
 * tested in Node (test/browser/rating-draft.test.ts).
 */
export const NOTE_FIELDS = ['summary', 'topics', 'actionItems', 'outcome'] as const;
export type NoteField = (typeof NOTE_FIELDS)[number];
export type Thumb = 'up' | 'down';

export const THUMB_SCORE: Record<Thumb, number> = { up: 5, down: 1 };

export interface ActionItemDraft {
  owner: ActionItem['owner'];
  text: string;
  /** yyyy-mm-dd, or '' for no due date. */
  due: string;
}

export interface RatingDraft {
  score: number | null;
  thumbs: Partial<Record<NoteField, Thumb>>;
  summary: string;
  /** One topic a line. */
  topics: string;
  actionItems: ActionItemDraft[];
  outcome: Outcome;
  comment: string;
}

/** Field key → message. Keys: score, fieldScores.<field>, corrections.<field>, corrections.actionItems.<i>.<owner|text|due>, comment, form. */
export type FieldErrors = Record<string, string>;

export function draftFromNotes(notes: CallNotes, previous?: Rating | null): RatingDraft {
  const shown = { ...notes, ...(previous?.corrections ?? {}) };
  const thumbs: RatingDraft['thumbs'] = {};
  for (const field of NOTE_FIELDS) {
    const score = previous?.fieldScores?.[field];
    if (score !== undefined) thumbs[field] = score >= 4 ? 'up' : score <= 2 ? 'down' : undefined;
  }
  return {
    score: previous?.score ?? null,
    thumbs,
    summary: shown.summary,
    topics: shown.topics.join('\n'),
    actionItems: shown.actionItems.map((item) => ({ owner: item.owner, text: item.text, due: item.due ?? '' })),
    outcome: shown.outcome,
    comment: previous?.comment ?? '',
  };
}

export const topicsOf = (text: string): string[] => text.split('\n').map((t) => t.trim()).filter((t) => t.length > 0);

const actionItemsOf = (items: ActionItemDraft[]): ActionItem[] => items.map((item) => ({ owner: item.owner, text: item.text.trim(), due: item.due === '' ? null : item.due }));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only the fields the rater changed are sent as corrections. */
export function correctionsOf(draft: RatingDraft, notes: CallNotes): Partial<CallNotes> {
  const edited: CallNotes = { summary: draft.summary.trim(), topics: topicsOf(draft.topics), actionItems: actionItemsOf(draft.actionItems), outcome: draft.outcome };
  const corrections: Partial<CallNotes> = {};
  if (edited.summary !== notes.summary.trim()) corrections.summary = edited.summary;
  if (!same(edited.topics, notes.topics)) corrections.topics = edited.topics;
  if (!same(edited.actionItems, notes.actionItems)) corrections.actionItems = edited.actionItems;
  if (edited.outcome !== notes.outcome) corrections.outcome = edited.outcome;
  return corrections;
}

export function ratingInputOf(draft: RatingDraft, notes: CallNotes): Record<string, unknown> {
  const fieldScores = Object.fromEntries(Object.entries(draft.thumbs).filter(([, t]) => t).map(([field, thumb]) => [field, THUMB_SCORE[thumb!]]));
  const corrections = correctionsOf(draft, notes);
  const comment = draft.comment.trim();
  return {
    score: draft.score ?? undefined,
    ...(Object.keys(fieldScores).length ? { fieldScores } : {}),
    ...(Object.keys(corrections).length ? { corrections } : {}),
    ...(comment ? { comment } : {}),
  };
}

export type Validation = { ok: true; input: RatingInput; errors: FieldErrors } | { ok: false; errors: FieldErrors };

/** The checks rateCall makes (domain/review.ts), in the same order, with every problem kept. */
export function validateDraft(draft: RatingDraft, notes: CallNotes): Validation {
  const errors: FieldErrors = {};
  const parsed = RatingInputSchema.safeParse(ratingInputOf(draft, notes));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) addError(errors, fieldKey(issue.path), issue.message);
    return { ok: false, errors };
  }
  const whole = CallNotesSchema.safeParse({ ...notes, ...(parsed.data.corrections ?? {}) });
  if (!whole.success) {
    for (const issue of whole.error.issues) addError(errors, fieldKey(['corrections', ...issue.path]), issue.message);
    return { ok: false, errors };
  }
  return { ok: true, input: parsed.data, errors };
}

/**
 * Where a problem is shown: the API's `field` (e.g. "corrections.topics.0", "score") or a zod
 * issue path, reduced to the inputs the form has. Topics are one textarea, so every topic index
 * lands on it; action item problems land on the row's input when there is one.
 */
export function fieldKey(path: string | readonly PropertyKey[], actionItemCount = Number.POSITIVE_INFINITY): string {
  const parts = (typeof path === 'string' ? path.split('.') : path.map(String)).filter((p) => p !== '');
  const [head, field, index, leaf] = parts;
  if (head === 'score' || head === 'comment') return head;
  if (head === 'fieldScores' && field && (NOTE_FIELDS as readonly string[]).includes(field)) return `fieldScores.${field}`;
  if (head === 'corrections' && field && (NOTE_FIELDS as readonly string[]).includes(field)) {
    if (field === 'actionItems' && index !== undefined && /^\d+$/.test(index) && Number(index) < actionItemCount && ['owner', 'text', 'due'].includes(leaf ?? '')) {
      return `corrections.actionItems.${index}.${leaf}`;
    }
    return `corrections.${field}`;
  }
  return 'form';
}

function addError(errors: FieldErrors, key: string, message: string): void {
  if (!errors[key]) errors[key] = message;
}

/** Field keys in the order the form shows them, so focus goes to the first problem. */
export function firstErrorKey(errors: FieldErrors, actionItemCount: number): string | undefined {
  const order = [
    'score',
    ...NOTE_FIELDS.map((f) => `fieldScores.${f}`),
    'corrections.summary',
    'corrections.topics',
    'corrections.actionItems',
    ...Array.from({ length: actionItemCount }, (_, i) => ['owner', 'text', 'due'].map((leaf) => `corrections.actionItems.${i}.${leaf}`)).flat(),
    'corrections.outcome',
    'comment',
    'form',
  ];
  return order.find((key) => errors[key]);
}

/** Which fields differ from the model's notes (shown as "corrected"). */
export const correctedFields = (draft: RatingDraft, notes: CallNotes): NoteField[] => Object.keys(correctionsOf(draft, notes)) as NoteField[];
