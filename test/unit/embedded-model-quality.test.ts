import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CallNotesSchema } from '../../domain/notes.ts';
import { leadSentences } from '../../cli/eval/baseline.ts';
import { parseDialogues, type EvalDialogue } from '../../cli/eval/dialogues.ts';
import { bestRouge } from '../../cli/eval/rouge.ts';
import { generateNotes, type ModelTurn } from '../../local/bedrock/model/embedded-model.ts';

const CALL_DATE = '2024-05-08';
/** Support dialogues written for this project, with the summary a supervisor would write. */
const dialogues: EvalDialogue[] = parseDialogues(readFileSync(new URL('../fixtures/eval/support-dialogues.jsonl', import.meta.url), 'utf8'));
const notesFor = (dialogue: EvalDialogue) => generateNotes({ turns: dialogue.transcript.turns, callDate: CALL_DATE });
const byId = (id: string) => dialogues.find((d) => d.id === id)!;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('Embedded model quality (fixture dialogues)', () => {
  it('writes schema-valid notes for every dialogue', () => {
    // Act
    const results = dialogues.map((d) => CallNotesSchema.safeParse(notesFor(d)));

    // Assess
    expect(results.every((r) => r.success)).toBe(true);
  });

  it('summarizes better than the lead-3 baseline (mean ROUGE-L F1) and above a floor', () => {
    // Act
    const model = mean(dialogues.map((d) => bestRouge(notesFor(d).summary, d.references.summaries)!.rougeL));
    const lead = mean(dialogues.map((d) => bestRouge(leadSentences(d.transcript), d.references.summaries)!.rougeL));

    // Assess
    expect(model).toBeGreaterThan(lead + 0.1);
    expect(model).toBeGreaterThan(0.45);
  });

  it('keeps person names, handles and filler words out of the topics', () => {
    // Act
    const topicWords = dialogues.flatMap((d) => notesFor(d).topics.flatMap((t) => t.split(' ')));

    // Assess
    for (const word of ['jamie', 'notreal', 'alex', 'testperson', 'priya', 'dana', 'morgan', 'sam', 'acmeshop', 'home', 'manager', 'supervisor']) {
      expect(topicWords).not.toContain(word);
    }
  });

  it('labels a phone-plan call as such, not as an internet outage', () => {
    // Act
    const { topics } = notesFor(byId('fx-phone-plan'));

    // Assess
    expect(topics).toContain('phone plan');
    expect(topics).not.toContain('internet outage');
  });

  it('drops chat noise (handles, links, sign-offs) from the summary and retells requests', () => {
    // Act
    const { summary } = notesFor(byId('fx-chat-refund'));

    // Assess
    expect(summary).not.toMatch(/@|https?:|\^KM|\bAlex\b/);
    expect(summary).toMatch(/^The customer said their order 5521 arrived with a cracked screen/);
    expect(summary).toMatch(/The agent asked the customer to DM the company their order number/);
  });
});

describe('Embedded model speed', () => {
  it('writes notes for a 15-minute call (about 2,600 words) in a few milliseconds', () => {
    // Prepare: 15 minutes at ~170 words a minute, in 90 alternating turns.
    const lines = [
      'I have been trying to get my internet fixed for a week and it keeps dropping every evening.',
      "I've checked the line from here and I can see a lot of errors on the connection tonight.",
      'Can you send a technician? I work from home and I need it stable by Friday.',
      'I will book a technician visit for Thursday morning and we will call you back tomorrow to confirm.',
    ];
    const turns: ModelTurn[] = Array.from({ length: 90 }, (_, i) => ({ role: i % 2 === 0 ? 'customer' : 'agent', text: `${lines[i % 4]!} Turn ${i} adds a detail about the router and the billing account.` }));
    const words = turns.reduce((n, t) => n + t.text.split(' ').length, 0);
    generateNotes({ turns, callDate: CALL_DATE });

    // Act
    const times: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      generateNotes({ turns, callDate: CALL_DATE });
      times.push(performance.now() - started);
    }

    // Assess: generous for a loaded CI machine; measured locally in the report.
    expect(words).toBeGreaterThan(2000);
    expect(Math.min(...times)).toBeLessThan(50);
  });
});
