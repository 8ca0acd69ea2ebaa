/** The Bedrock Runtime errors the emulator answers with, and their HTTP status (restJson1). */
export const BEDROCK_ERROR_STATUS = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type BedrockErrorName = keyof typeof BEDROCK_ERROR_STATUS;

export const BEDROCK_ERROR_NAMES = Object.keys(BEDROCK_ERROR_STATUS) as BedrockErrorName[];

/** Messages as Bedrock words them, for errors raised by fault injection. */
export const DEFAULT_ERROR_MESSAGE: Record<BedrockErrorName, string> = {
  ValidationException: 'The request is not valid.',
  ServiceQuotaExceededException: 'Your request exceeds the service quota for your account.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: 'Could not resolve the foundation model from the provided model identifier.',
  ModelTimeoutException: 'Model has timed out in processing the request. Try your request again.',
  ModelErrorException: 'The model returned an error while processing the request.',
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready to serve inference requests. Try again later.',
  InternalServerException: 'The server encountered an internal error while processing the request.',
  ServiceUnavailableException: 'The service is temporarily unable to handle the request. Try again later.',
};

/** An error the emulator answers with: status, `x-amzn-ErrorType` and `{"message"}` as AWS sends them. */
export class BedrockServiceError extends Error {
  readonly status: number;

  constructor(
    readonly errorType: BedrockErrorName,
    message: string = DEFAULT_ERROR_MESSAGE[errorType],
  ) {
    super(message);
    this.name = errorType;
    this.status = BEDROCK_ERROR_STATUS[errorType];
  }
}

export const validationError = (message: string) => new BedrockServiceError('ValidationException', message);
