import * as z from './zod.ts';
import { CALL_NOTES_TOOL_SCHEMA } from './notes-tool-schema.ts';

/** Call notes v1 (DESIGN §4): what every model path must return. */
export const ActionItemSchema = z.object({
  owner: z.enum(['agent', 'customer', 'company']),
  text: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  due: z.nullable(z.iso.date()),
});

export const OutcomeSchema = z.enum(['resolved', 'unresolved', 'escalated', 'follow_up']);

export const CallNotesSchema = z.object({
  summary: z
    .string()
    .check(
      z.trim(),
      z.minLength(1),
      z.maxLength(2000),
      z.refine((s) => countSentences(s) <= 5, { message: 'summary must be 2-5 sentences' }),
    ),
  topics: z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(60))).check(z.minLength(1), z.maxLength(5)),
  actionItems: z.array(ActionItemSchema).check(z.maxLength(20)),
  outcome: OutcomeSchema,
});

export type ActionItem = z.infer<typeof ActionItemSchema>;
export type Outcome = z.infer<typeof OutcomeSchema>;
export type CallNotes = z.infer<typeof CallNotesSchema>;

/**
 * JSON Schema of the notes, given to base models as the one tool they must answer through. It is
 * sent with every call, so it carries structure only: lengths and the date pattern cost input
 * tokens on every request and are checked by CallNotesSchema on the answer anyway.
 *
 * Generated from CallNotesSchema into notes-tool-schema.ts (`npm run gen:schema`), so no Lambda
 * bundle carries zod's JSON Schema converter; a unit test fails when the two differ.
 */
export const callNotesJsonSchema = (): Record<string, unknown> => structuredClone(CALL_NOTES_TOOL_SCHEMA);

/** Sentence count for the 2-5 sentence rule; a one-sentence summary of a one-line call is allowed. */
export function countSentences(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z0-9"'([])/).filter((s) => s.trim().length > 0).length;
}

export function formatIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
