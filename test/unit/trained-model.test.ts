import { compactTranscript } from '#domain/compaction.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { CallNotesSchema } from '../../domain/notes.ts';
import { generateNotes } from '../../local/bedrock/model/embedded-model.ts';
import { TrainedModel, TrainingDataError, type TrainingExample, type TrainingReport } from '../../local/bedrock/model/trained/trained-model.ts';
import { trainingExampleFromRecord } from '../../local/bedrock/model/trained/training-example.ts';
import { STAR_TASKS, starSplit, type StarDialogue } from '../fixtures/tuning/star-dialogues.ts';

const toExample = (d: StarDialogue): TrainingExample => trainingExampleFromRecord(d.record.messages[0].content, d.record.messages[1].content)!;

/** Share of calls whose first topic is one of the call's labels. */
function topicAccuracy(dialogues: StarDialogue[], trained?: TrainedModel): number {
  const right = dialogues.filter((d) => {
    const notes = generateNotes({ turns: d.transcript.turns, callDate: d.callDate }, trained);
    return (d.labels as string[]).includes(notes.topics[0]!);
  });
  return right.length / dialogues.length;
}

describe('Class: TrainedModel', () => {
  const { train, heldOut } = starSplit();
  let report: TrainingReport;

  beforeAll(() => {
    report = TrainedModel.train(train.map(toExample), {
      epochCount: 2,
      batchSize: 8,
      validation: heldOut.map(toExample),
      outcomeRule: (e) => generateNotes({ turns: e.turns, callDate: e.callDate ?? '2025-01-01' }).outcome,
    });
  });

  describe('Method: train', () => {
    it('raises held-out topic accuracy from ~0 (untrained) to >= 0.8', () => {
      // Act
      const before = topicAccuracy(heldOut);
      const after = topicAccuracy(heldOut, report.model);

      // Assess
      console.info(`[trained-model] held-out topic accuracy: untrained ${before.toFixed(3)}, trained ${after.toFixed(3)} (n=${heldOut.length})`);
      expect(before).toBeLessThan(0.1);
      expect(after).toBeGreaterThanOrEqual(0.8);
      expect(report.model.topicLabels).toEqual([...STAR_TASKS].sort());
    });

    it('reports one loss per step and epoch, lower on the full fit than before any data', () => {
      // Assess
      const batches = Math.ceil(train.length / 8);
      expect(report.steps).toHaveLength(batches * 2);
      expect(report.steps.map((s) => s.step)).toEqual(report.steps.map((_, i) => i));
      expect(report.steps[0]!.loss).toBeCloseTo(Math.LN2);
      expect(report.steps.at(-1)!.epoch).toBe(2);
      expect(report.trainingLoss).toBeLessThan(report.steps[0]!.loss);
      expect(report.model.loss(heldOut.map(toExample))).toBeLessThan(Math.LN2);
    });

    it('keeps the rule-based outcome when the learned one does not beat it on validation data', () => {
      // Assess
      expect(report.outcomeAccuracy).toBeDefined();
      expect(report.model.usesOutcome).toBe(report.outcomeAccuracy!.learned > report.outcomeAccuracy!.rules);
    });

    it('throws TrainingDataError when the data names fewer than two topics', () => {
      // Prepare
      const examples = train.slice(0, 5).map(toExample).map((e) => ({ ...e, topics: ['only_one'] }));

      // Act & assess
      expect(() => TrainedModel.train(examples)).toThrow(TrainingDataError);
    });
  });

  describe('Method: toJSON / fromJSON', () => {
    it('round-trips through JSON and predicts the same topics', () => {
      // Prepare
      const state = JSON.parse(JSON.stringify(report.model.toJSON()));

      // Act
      const reloaded = TrainedModel.fromJSON(state);

      // Assess
      for (const d of heldOut.slice(0, 10)) {
        expect(reloaded.predictTopics(d.transcript.turns)).toEqual(report.model.predictTopics(d.transcript.turns));
      }
    });
  });

  describe('Function: generateNotes with a trained model', () => {
    it('returns valid notes with 1-3 learned labels', () => {
      // Act
      const notes = heldOut.map((d) => generateNotes({ turns: d.transcript.turns, callDate: d.callDate }, report.model));

      // Assess
      for (const n of notes) {
        expect(CallNotesSchema.safeParse(n).success).toBe(true);
        expect(n.topics.length).toBeGreaterThanOrEqual(1);
        expect(n.topics.length).toBeLessThanOrEqual(3);
        for (const t of n.topics) expect(STAR_TASKS).toContain(t);
      }
    });

    it('falls back to the untrained topics when no word of the call is known', () => {
      // Prepare
      const turns = [{ role: 'customer' as const, text: 'Zyx qwv plorf.' }];

      // Act
      const notes = generateNotes({ turns, callDate: '2025-01-01' }, report.model);

      // Assess
      expect(notes).toEqual(generateNotes({ turns, callDate: '2025-01-01' }));
    });
  });

  describe('Function: trainingExampleFromRecord', () => {
    it('reads the transcript, call date, topics and outcome of a record', () => {
      // Prepare
      const d = train[0]!;

      // Act
      const example = trainingExampleFromRecord(d.record.messages[0].content, d.record.messages[1].content);

      // Assess: the record holds the transcript as the prompt renders it (compacted).
      const rendered = compactTranscript(d.transcript).turns.map(({ role, text }) => ({ role, text }));
      expect(example).toEqual({ turns: rendered, callDate: d.callDate, topics: d.labels, outcome: d.outcome });
    });

    it('returns undefined when the answer holds no notes', () => {
      // Act & assess
      expect(trainingExampleFromRecord('Customer: hi', 'Sure, here are the notes.')).toBeUndefined();
    });
  });
});
