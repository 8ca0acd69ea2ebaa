/** Control-plane (bedrock, not bedrock-runtime) errors and their HTTP status, as @aws-sdk/client-bedrock maps them. */
export const CONTROL_PLANE_ERROR_STATUS = {
  ValidationException: 400,
  ConflictException: 400,
  ResourceInUseException: 400,
  ServiceQuotaExceededException: 400,
  TooManyTagsException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type ControlPlaneErrorName = keyof typeof CONTROL_PLANE_ERROR_STATUS;

/** An error the control plane answers with: status, `x-amzn-ErrorType` and `{"message"}`. */
export class ControlPlaneError extends Error {
  readonly status: number;

  constructor(
    readonly errorType: ControlPlaneErrorName,
    message: string,
  ) {
    super(message);
    this.name = errorType;
    this.status = CONTROL_PLANE_ERROR_STATUS[errorType];
  }
}

export const invalid = (message: string) => new ControlPlaneError('ValidationException', message);
export const notFound = (message: string) => new ControlPlaneError('ResourceNotFoundException', message);
export const conflict = (message: string) => new ControlPlaneError('ConflictException', message);
