/**
 * Checks the packaged CloudFormation template for the properties the design depends on
 * (partial batch responses, redrive, least privilege, runtime, data protection).
 *
 *   npx serverless package --stage dev && npx tsx scripts/check-template.ts [template.json]
 *
 * Prints one line per check and exits 1 if any fails.
 */
import { readFileSync } from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface CfnResource {
  Type: string;
  Properties?: JsonObject;
}

interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

interface CheckResult {
  name: string;
  problems: string[];
}

const DEFAULT_TEMPLATE = '.serverless/cloudformation-template-update-stack.json';
const INGEST_FUNCTION = 'IngestLambdaFunction';
const INBOUND_QUEUE = 'InboundQueue';
const INBOUND_DLQ = 'InboundDlq';
const CALLS_TABLE = 'CallsTable';
const TRANSCRIPTS_BUCKET = 'TranscriptsBucket';
const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** CloudFormation accepts "true"/"5" as well as true/5. */
function asBoolean(value: Json | undefined): boolean {
  return value === true || value === 'true';
}

function asNumber(value: Json | undefined): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Logical id named by `{ "Fn::GetAtt": [id, attr] }`, `{ "Fn::GetAtt": "id.attr" }` or `{ "Ref": id }`. */
function referencedId(value: Json | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** Every string inside an Action value, through intrinsics such as Fn::If. */
function actionStrings(value: Json | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(actionStrings);
  if (isObject(value)) return Object.values(value).flatMap(actionStrings);
  return [];
}

function resource(template: CfnTemplate, id: string, type: string): { props: JsonObject; problem?: string } {
  const found = template.Resources[id];
  if (!found) return { props: {}, problem: `no resource ${id}` };
  if (found.Type !== type) return { props: {}, problem: `${id} is ${found.Type}, expected ${type}` };
  return { props: found.Properties ?? {} };
}

function checkEventSourceMapping(template: CfnTemplate): CheckResult {
  const name = 'ingest event source mapping reports batch item failures and caps concurrency';
  const mappings = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && referencedId(r.Properties?.FunctionName) === INGEST_FUNCTION,
  );
  if (mappings.length === 0) return { name, problems: [`no AWS::Lambda::EventSourceMapping for ${INGEST_FUNCTION}`] };
  const problems: string[] = [];
  for (const [id, mapping] of mappings) {
    const props = mapping.Properties ?? {};
    const types = asArray(props.FunctionResponseTypes);
    if (types.length !== 1 || types[0] !== 'ReportBatchItemFailures') {
      problems.push(`${id}.FunctionResponseTypes is ${JSON.stringify(props.FunctionResponseTypes ?? null)}, expected ["ReportBatchItemFailures"]`);
    }
    const scaling = props.ScalingConfig;
    const max = isObject(scaling) ? asNumber(scaling.MaximumConcurrency) : undefined;
    if (max === undefined) problems.push(`${id} has no ScalingConfig.MaximumConcurrency`);
    else if (max < 2 || max > 1000) problems.push(`${id}.ScalingConfig.MaximumConcurrency is ${max}, expected 2..1000`);
  }
  return { name, problems };
}

function checkInboundQueue(template: CfnTemplate): CheckResult {
  const name = `${INBOUND_QUEUE} redrives to ${INBOUND_DLQ} after 5 receives, visibility >= 6 x ingest timeout`;
  const queue = resource(template, INBOUND_QUEUE, 'AWS::SQS::Queue');
  if (queue.problem) return { name, problems: [queue.problem] };
  const problems: string[] = [];
  const redrive = queue.props.RedrivePolicy;
  if (!isObject(redrive)) {
    problems.push(`${INBOUND_QUEUE} has no RedrivePolicy`);
  } else {
    const target = referencedId(redrive.deadLetterTargetArn);
    if (target !== INBOUND_DLQ) problems.push(`RedrivePolicy.deadLetterTargetArn points at ${target ?? JSON.stringify(redrive.deadLetterTargetArn ?? null)}, expected ${INBOUND_DLQ}`);
    const receives = asNumber(redrive.maxReceiveCount);
    if (receives !== 5) problems.push(`RedrivePolicy.maxReceiveCount is ${receives ?? 'missing'}, expected 5`);
  }
  const fn = resource(template, INGEST_FUNCTION, 'AWS::Lambda::Function');
  const timeout = asNumber(fn.props.Timeout) ?? 6; // Lambda's default when unset
  const visibility = asNumber(queue.props.VisibilityTimeout) ?? 30; // SQS's default when unset
  if (fn.problem) problems.push(fn.problem);
  else if (visibility < 6 * timeout) problems.push(`VisibilityTimeout is ${visibility}s, expected >= ${6 * timeout}s (6 x ingest Timeout ${timeout}s)`);
  return { name, problems };
}

function checkNoWildcardActions(template: CfnTemplate): CheckResult {
  const name = 'no IAM role or policy allows a wildcard action (* or service:*)';
  const problems: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!IAM_TYPES.has(r.Type)) continue;
    const props = r.Properties ?? {};
    const documents: Array<[string, Json | undefined]> = [];
    if (r.Type === 'AWS::IAM::Role') {
      documents.push(['AssumeRolePolicyDocument', props.AssumeRolePolicyDocument]);
      asArray(props.Policies).forEach((policy, i) => {
        const label = isObject(policy) && typeof policy.PolicyName === 'string' ? policy.PolicyName : String(i);
        documents.push([`Policies[${label}]`, isObject(policy) ? policy.PolicyDocument : undefined]);
      });
    } else {
      documents.push(['PolicyDocument', props.PolicyDocument]);
    }
    for (const [where, document] of documents) {
      if (!isObject(document)) continue;
      asArray(document.Statement).forEach((statement, i) => {
        if (!isObject(statement)) return;
        const label = typeof statement.Sid === 'string' ? statement.Sid : `#${i}`;
        for (const key of ['Action', 'NotAction'] as const) {
          for (const action of actionStrings(statement[key])) {
            if (action === '*' || action.endsWith(':*')) problems.push(`${id} ${where} statement ${label}: ${key} "${action}"`);
          }
        }
      });
    }
  }
  return { name, problems };
}

/**
 * Every AWS action the ingest function sends (adapters used by buildIngestDeps and the event
 * source). Emulators do not enforce IAM, so a missing one would only show in AWS, as AccessDenied.
 */
const INGEST_ACTIONS = [
  'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility',
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query',
  's3:GetObject', 's3:PutObject', 'bedrock:InvokeModel',
];

function checkIngestRoleActions(template: CfnTemplate): CheckResult {
  const name = `the ingest role allows every action ingest sends (${INGEST_ACTIONS.length})`;
  const fn = resource(template, INGEST_FUNCTION, 'AWS::Lambda::Function');
  if (fn.problem) return { name, problems: [fn.problem] };
  const roleId = referencedId(fn.props.Role);
  if (!roleId) return { name, problems: [`${INGEST_FUNCTION}.Role is not a reference to a role in this template`] };
  const role = resource(template, roleId, 'AWS::IAM::Role');
  if (role.problem) return { name, problems: [role.problem] };
  const allowed = new Set<string>();
  for (const policy of asArray(role.props.Policies)) {
    const document = isObject(policy) ? policy.PolicyDocument : undefined;
    if (!isObject(document)) continue;
    for (const statement of asArray(document.Statement)) {
      if (isObject(statement) && statement.Effect === 'Allow') for (const action of actionStrings(statement.Action)) allowed.add(action);
    }
  }
  return { name, problems: INGEST_ACTIONS.filter((action) => !allowed.has(action)).map((action) => `${roleId} does not allow ${action}`) };
}

function checkRuntime(template: CfnTemplate): CheckResult {
  const name = 'functions run nodejs24.x on arm64';
  const functions = Object.entries(template.Resources).filter(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && (id === INGEST_FUNCTION || String(r.Properties?.Handler ?? '').startsWith('functions/')),
  );
  if (!functions.some(([id]) => id === INGEST_FUNCTION)) return { name, problems: [`no resource ${INGEST_FUNCTION}`] };
  const problems: string[] = [];
  for (const [id, fn] of functions) {
    const props = fn.Properties ?? {};
    if (props.Runtime !== 'nodejs24.x') problems.push(`${id}.Runtime is ${JSON.stringify(props.Runtime ?? null)}, expected "nodejs24.x"`);
    const arch = asArray(props.Architectures);
    if (arch.length !== 1 || arch[0] !== 'arm64') problems.push(`${id}.Architectures is ${JSON.stringify(props.Architectures ?? null)}, expected ["arm64"]`);
  }
  return { name, problems };
}

function checkTable(template: CfnTemplate): CheckResult {
  const name = `${CALLS_TABLE} has point-in-time recovery and server-side encryption`;
  const table = resource(template, CALLS_TABLE, 'AWS::DynamoDB::Table');
  if (table.problem) return { name, problems: [table.problem] };
  const problems: string[] = [];
  const pitr = table.props.PointInTimeRecoverySpecification;
  if (!isObject(pitr) || !asBoolean(pitr.PointInTimeRecoveryEnabled)) problems.push('PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled is not true');
  const sse = table.props.SSESpecification;
  if (!isObject(sse) || !asBoolean(sse.SSEEnabled)) problems.push('SSESpecification.SSEEnabled is not true');
  return { name, problems };
}

function checkBucket(template: CfnTemplate): CheckResult {
  const name = `${TRANSCRIPTS_BUCKET} blocks all public access`;
  const bucket = resource(template, TRANSCRIPTS_BUCKET, 'AWS::S3::Bucket');
  if (bucket.problem) return { name, problems: [bucket.problem] };
  const block = bucket.props.PublicAccessBlockConfiguration;
  if (!isObject(block)) return { name, problems: ['no PublicAccessBlockConfiguration'] };
  const flags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
  return { name, problems: flags.filter((flag) => !asBoolean(block[flag])).map((flag) => `PublicAccessBlockConfiguration.${flag} is not true`) };
}

function loadTemplate(path: string): CfnTemplate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run "npx serverless package" first`);
  }
  const parsed = JSON.parse(text) as Partial<CfnTemplate>;
  if (!parsed.Resources || typeof parsed.Resources !== 'object') throw new Error(`${path} has no Resources section`);
  return parsed as CfnTemplate;
}

function main(): number {
  const path = process.argv[2] ?? DEFAULT_TEMPLATE;
  let template: CfnTemplate;
  try {
    template = loadTemplate(path);
  } catch (error) {
    console.error(`FAIL ${(error as Error).message}`);
    return 1;
  }
  console.log(`checking ${path}`);
  const results = [checkEventSourceMapping, checkInboundQueue, checkNoWildcardActions, checkIngestRoleActions, checkRuntime, checkTable, checkBucket].map((check) => check(template));
  for (const { name, problems } of results) {
    if (problems.length === 0) console.log(`ok   ${name}`);
    else console.log(`FAIL ${name}\n${problems.map((p) => `       - ${p}`).join('\n')}`);
  }
  const failed = results.filter((r) => r.problems.length > 0).length;
  console.log(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
