import * as z from 'zod';

/** Call notes v1 (DESIGN §4): what every model path must return. */
export const ActionItemSchema = z.object({
  owner: z.enum(['agent', 'customer', 'company']),
  text: z.string().trim().min(1).max(500),
  due: z.iso.date().nullable(),
});

export const OutcomeSchema = z.enum(['resolved', 'unresolved', 'escalated', 'follow_up']);

export const CallNotesSchema = z.object({
  summary: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .refine((s) => countSentences(s) <= 5, { message: 'summary must be 2-5 sentences' }),
  topics: z.array(z.string().trim().min(1).max(60)).min(1).max(5),
  actionItems: z.array(ActionItemSchema).max(20),
  outcome: OutcomeSchema,
});

export type ActionItem = z.infer<typeof ActionItemSchema>;
export type Outcome = z.infer<typeof OutcomeSchema>;
export type CallNotes = z.infer<typeof CallNotesSchema>;

/**
 * JSON Schema of the notes, given to base models as the one tool they must answer through. It is
 * sent with every call, so it carries structure only: lengths and the date pattern cost input
 * tokens on every request and are checked by CallNotesSchema on the answer anyway.
 */
export const callNotesJsonSchema = (): Record<string, unknown> => {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(CallNotesSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return structureOnly(schema) as Record<string, unknown>;
};

const COSTLY_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength', 'additionalProperties']);

function structureOnly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structureOnly);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => !COSTLY_KEYWORDS.has(key)).map(([key, value]) => [key, structureOnly(value)]));
}

/** Sentence count for the 2-5 sentence rule; a one-sentence summary of a one-line call is allowed. */
export function countSentences(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z0-9"'([])/).filter((s) => s.trim().length > 0).length;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
