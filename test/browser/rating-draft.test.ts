import { describe, expect, it } from 'vitest';
import type { CallNotes } from '#domain/notes.ts';
import { RatingInputSchema, type Rating } from '#domain/ratings.ts';
import { draftFromNotes, fieldKey, firstErrorKey, ratingInputOf, validateDraft } from '../../console/src/rating-draft.ts';

/** The console's rating form logic (no DOM): what it sends, and where problems are shown. */
const notes: CallNotes = {
  summary: 'The customer lost their card. The agent blocked it and ordered a new one.',
  topics: ['lost card', 'replacement card'],
  actionItems: [{ owner: 'company', text: 'Send the new card', due: '2026-11-30' }],
  outcome: 'resolved',
};
const fresh = () => structuredClone(notes);

describe('Module: console rating draft', () => {
  describe('Function: ratingInputOf', () => {
    it('sends only the score when nothing was corrected or thumbed', () => {
      const draft = { ...draftFromNotes(fresh()), score: 5 };

      const input = ratingInputOf(draft, notes);

      expect(input).toEqual({ score: 5 });
    });

    it('maps thumbs to field scores 5 and 1 and sends changed fields only, trimmed', () => {
      const draft = draftFromNotes(fresh());
      Object.assign(draft, { score: 3, thumbs: { topics: 'down', summary: 'up' }, topics: ' lost card \n\n card block \n', comment: '  ' });

      const input = ratingInputOf(draft, notes);

      expect(input).toEqual({ score: 3, fieldScores: { topics: 1, summary: 5 }, corrections: { topics: ['lost card', 'card block'] } });
      expect(RatingInputSchema.safeParse(input).success).toBe(true);
    });

    it('turns an empty due date into null', () => {
      const draft = { ...draftFromNotes(fresh()), score: 4 };
      draft.actionItems[0]!.due = '';

      const input = ratingInputOf(draft, notes);

      expect(input.corrections).toEqual({ actionItems: [{ owner: 'company', text: 'Send the new card', due: null }] });
    });
  });

  describe('Function: draftFromNotes', () => {
    it('starts from the rater’s previous rating: score, thumbs and corrections', () => {
      const previous = { score: 2, fieldScores: { outcome: 1, topics: 5 }, corrections: { outcome: 'escalated' }, comment: 'wrong outcome' } as unknown as Rating;

      const draft = draftFromNotes(fresh(), previous);

      expect(draft).toMatchObject({ score: 2, thumbs: { outcome: 'down', topics: 'up' }, outcome: 'escalated', comment: 'wrong outcome' });
    });
  });

  describe('Function: validateDraft', () => {
    it('asks for a score with the API’s own message', () => {
      const result = validateDraft(draftFromNotes(fresh()), notes);

      expect(result.ok).toBe(false);
      expect(result.errors).toEqual({ score: 'score is required: an integer from 1 to 5' });
    });

    it('puts schema problems at the field: six topics, an empty action, a summary of seven sentences', () => {
      const draft = { ...draftFromNotes(fresh()), score: 3, topics: 'a\nb\nc\nd\ne\nf', summary: 'One. Two. Three. Four. Five. Six. Seven.' };
      draft.actionItems[0]!.text = '   ';

      const result = validateDraft(draft, notes);

      expect(result.ok).toBe(false);
      expect(Object.keys(result.errors).sort()).toEqual(['corrections.actionItems.0.text', 'corrections.summary', 'corrections.topics']);
      expect(firstErrorKey(result.errors, 1)).toBe('corrections.summary');
    });

    it('accepts what the API accepts', () => {
      const draft = { ...draftFromNotes(fresh()), score: 4, outcome: 'follow_up' as const };

      const result = validateDraft(draft, notes);

      expect(result.ok && result.input).toEqual({ score: 4, corrections: { outcome: 'follow_up' } });
    });
  });

  describe('Function: fieldKey', () => {
    it.each([
      ['score', 'score'],
      ['corrections.topics.0', 'corrections.topics'],
      ['corrections.outcome', 'corrections.outcome'],
      ['corrections.actionItems.0.due', 'corrections.actionItems.0.due'],
      ['corrections.actionItems.7.due', 'corrections.actionItems'],
      ['corrections.actionItems', 'corrections.actionItems'],
      ['fieldScores.summary', 'fieldScores.summary'],
      ['comment', 'comment'],
      ['body', 'form'],
      ['corrections.mood', 'form'],
    ])('shows the API field %s at %s', (field, key) => {
      expect(fieldKey(field, 1)).toBe(key);
    });
  });
});
