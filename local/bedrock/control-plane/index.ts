export { ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export { ControlPlaneError, type ControlPlaneErrorName } from './errors.ts';
export { regionOfRequest } from './arns.ts';
export type { EmulatorS3Options } from './s3-objects.ts';
