import { parseArgs } from 'node:util';
import { startBedrockEmulator } from './server.ts';

/** `npx tsx local/bedrock/main.ts [--port 4010] [--host 127.0.0.1] [--seed 1]`: the emulator on its own. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
  },
});

const emulator = await startBedrockEmulator({ port: Number(values.port), host: values.host, seed: Number(values.seed) });
console.log(`bedrock emulator listening on ${emulator.url} (faults: POST ${emulator.url}/_emulator/faults)`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
