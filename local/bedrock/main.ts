import { parseArgs } from 'node:util';
import { startBedrockEmulator } from './server.ts';

/**
 * `npx tsx local/bedrock/main.ts [--port 4010] [--host 127.0.0.1] [--seed 1] [--region us-west-2]
 * [--s3-endpoint http://127.0.0.1:4569] [--min-job-ms 300]`: the emulator on its own. With an S3
 * endpoint (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, default S3RVER), customization
 * jobs read their training data there.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    region: { type: 'string', default: 'us-west-2' },
    's3-endpoint': { type: 'string' },
    'min-job-ms': { type: 'string', default: '300' },
  },
});

const region = values.region;
const s3Endpoint = values['s3-endpoint'];
const emulator = await startBedrockEmulator({
  port: Number(values.port),
  host: values.host,
  seed: Number(values.seed),
  region,
  controlPlane: { minJobDurationMs: Number(values['min-job-ms']) },
  ...(s3Endpoint
    ? {
        s3: {
          endpoint: s3Endpoint,
          region,
          credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER' },
          forcePathStyle: true as const,
        },
      }
    : {}),
});
console.log(`bedrock emulator listening on ${emulator.url} (faults: POST ${emulator.url}/_emulator/faults)${s3Endpoint ? `, tuning data from ${s3Endpoint}` : ''}`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
