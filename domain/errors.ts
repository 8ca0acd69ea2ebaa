/** Base of every error the domain raises on purpose; each trigger maps these in one place. */
export class DomainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that can never succeed: rejected with a stored reason and acknowledged, never retried. */
export class InvalidInputError extends DomainError {
  constructor(
    readonly reason: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidMessageError extends InvalidInputError {
  constructor(field: string, detail: string) {
    super('invalid-message', field, `invalid inbound message at ${field}: ${detail}`);
  }
}

export class TranscriptFormatError extends InvalidInputError {
  constructor(
    readonly format: string,
    field: string,
    detail: string,
  ) {
    super('invalid-transcript', field, `transcript is not valid "${format}" format (${field}): ${detail}`);
  }
}

export class OversizedInputError extends InvalidInputError {
  constructor(bytes: number, limit: number, what: 'inline transcript' | 'transcript object' = 'inline transcript') {
    super(
      'oversized',
      'transcript',
      what === 'inline transcript'
        ? `inline transcript is ${bytes} bytes, over the ${limit}-byte limit: upload it to the transcripts bucket and send transcriptS3Uri instead`
        : `transcript object is ${bytes} bytes, over the ${limit}-byte limit (CALLNOTES_MAX_OBJECT_BYTES): split the call or raise the limit`,
    );
  }
}

/** A failure that may pass: the message goes back to the queue and is retried, then dead-lettered. */
export class TransientError extends DomainError {}

export class ModelThrottledError extends TransientError {}

export class ModelUnavailableError extends TransientError {}

/** Too little of the invocation is left to finish: the record goes back to the queue untouched. */
export class DeadlineExceededError extends TransientError {}

/** The model answered, but not with valid call notes (after the one repair attempt). */
export class ModelOutputError extends TransientError {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** The caller is not signed in (no or invalid token). */
export class UnauthorizedError extends DomainError {}

/** The caller is signed in but may not do this. */
export class ForbiddenError extends DomainError {}

export class NotFoundError extends DomainError {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
  }
}

/** A write lost a race (e.g. two re-ratings at once); the caller may retry. */
export class ConflictError extends DomainError {}

/** A request body over the size limit. */
export class PayloadTooLargeError extends DomainError {}
