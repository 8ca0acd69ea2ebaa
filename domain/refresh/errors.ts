import { ConflictError, DomainError } from '../errors.ts';

/** Bedrock refused a request that will never succeed as sent (validation, missing base model, bad role): the version fails. */
export class CustomizationRequestError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A registry write lost a race with another refresh or operator command: rerun, it is safe. */
export class RegistryConflictError extends ConflictError {}

/** Refresh settings that Bedrock would refuse (hyperparameters out of range, unusable names). */
export class RefreshSettingsError extends DomainError {}

/** An operator command that does not apply to the version as it stands (approve a champion, roll back with nothing before). */
export class ModelCommandError extends DomainError {}
