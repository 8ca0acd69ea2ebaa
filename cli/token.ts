import { join } from 'node:path';
import { Command, Option } from 'commander';
import { loadOperatorSettings } from '#adapters/config.ts';
import { mintLocalToken, readLocalKeys } from '#local/auth.ts';

/** Mints a token for the local stack's API, signed with the key `npm start` made for this run. */
const program = new Command('npm run token --')
  .description('Print a bearer token for the local HTTP API (local mode only; deployed stages use the Cognito user pool).')
  .requiredOption('--agent <id>', 'agent id the token speaks for (claim custom:agent_id)')
  .addOption(new Option('--role <role>', 'agent: own calls only; supervisor: every call and datasets').choices(['agent', 'supervisor']).default('agent'))
  .option('--user <id>', 'user id (sub claim); defaults to <role>-<agent>')
  .option('--ttl <seconds>', 'lifetime in seconds', '43200')
  .parse();
const opts = program.opts<{ agent: string; role: 'agent' | 'supervisor'; user?: string; ttl: string }>();

const settings = loadOperatorSettings();
if (settings.stage) {
  process.stderr.write('npm run token mints tokens for the local stack only; for a deployed stage sign in through its Cognito user pool\n');
  process.exit(2);
}
try {
  const keys = readLocalKeys(join(settings.stateDir, 'local-jwt.json'));
  process.stdout.write(`${await mintLocalToken(keys, { agentId: opts.agent, role: opts.role, userId: opts.user, ttlSeconds: Number(opts.ttl) })}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
