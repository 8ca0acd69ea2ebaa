import { DomainError } from '../errors.ts';

/** A curation window that cannot be used (not ISO 8601, or not from < to). */
export class InvalidWindowError extends DomainError {
  constructor(
    readonly field: 'from' | 'to' | 'window',
    detail: string,
  ) {
    super(`invalid curation window (${field}): ${detail}`);
  }
}

/** A line of a history file that cannot be imported; names the line so the file can be fixed. */
export class HistoryLineError extends DomainError {
  constructor(
    readonly line: number,
    readonly field: string,
    detail: string,
  ) {
    super(`line ${line}: ${field}: ${detail}`);
  }
}
