import { describe, expect, it } from 'vitest';
import { runSoak } from '#cli/soak/run.ts';

describe('Integration: soak run on its own local stack', () => {
  it('accounts for every message under model faults, poison and duplicates: nothing lost, nothing stored twice', { timeout: 120_000 }, async () => {
    // Act: its own emulators in this process, the ingest runner in a child process.
    const report = await runSoak({
      messages: 150,
      throttle: 0.2,
      modelTimeout: 0.05,
      malformedOutput: 0.05,
      poison: 0.05,
      duplicates: 0.1,
      timeoutSeconds: 100,
      seed: 3,
    });

    // Assess
    expect(report).toMatchObject({ sent: 150, lost: 0, duplicateRecords: 0, stillQueued: 0, poisonStored: 0 });
    expect(report.poison.unaccounted).toBe(0);
    expect(report.processed + (report.deadLettered.byKind.call ?? 0)).toBe(report.uniqueCalls);
    expect(report.recordsStored).toBe(report.processed);
    expect(report.rejected.total + report.deadLettered.total + report.processed + report.duplicatesAbsorbed).toBe(report.sent);
    expect(report.modelCalls.faultForced.throttled).toBeGreaterThan(0);
  });
});
