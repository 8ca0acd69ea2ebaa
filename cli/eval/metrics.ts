/** Moved to domain/evaluation (the refresh evaluates candidates with it); kept so the eval command and its tests import from here. */
export * from '#domain/evaluation/metrics.ts';
