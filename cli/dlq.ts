import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { Command } from 'commander';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { SqsDeadLetterQueue, type DeadLetter, type RedriveProgress } from '#adapters/sqs-dlq.ts';
import { connectTarget, type Target } from '#cli/target.ts';
import { positiveInt } from '#cli/options.ts';

/** A dead letter, with what the call store knows about it. */
interface DeadLetterReport {
  messageId: string;
  /** The call the message is about: its callId, or for an S3 notification the object's file name. */
  callId?: string;
  /** For an S3 event notification: s3://bucket/key of the transcript object. */
  object?: string;
  receiveCount: number;
  sentAt?: string;
  firstReceivedAt?: string;
  reason: string;
}

const program = new Command('dlq')
  .description('The dead-letter queue of calls-inbound (messages that failed on every one of their receives), on the running local stack or the stage in CALLNOTES_STAGE.')
  .showHelpAfterError();

program
  .command('list')
  .description('list dead-lettered messages with their call, receive count, times and reason, without consuming them')
  .option('--json', 'print one JSON object')
  .option('--limit <n>', 'show at most n messages', positiveInt, 100)
  .action(async (options: { json?: boolean; limit: number }) => {
    process.exitCode = await withTarget(async (target) => {
      const dlq = dlqOf(target);
      const [depth, letters] = await Promise.all([dlq.depth(), dlq.peek(options.limit)]);
      const reports = await explain(letters, target, dlq);
      if (options.json) {
        console.log(JSON.stringify({ target: target.label, dlqUrl: target.resources.dlqUrl, depth, shown: reports.length, messages: reports }, null, 2));
        return 0;
      }
      console.log(`${target.label}: ${target.resources.dlqUrl}`);
      console.log(`${depth.visible} message(s) visible, ${depth.inFlight} in flight; showing ${reports.length}`);
      if (reports.length > 0) console.log(renderTable(reports));
      return 0;
    });
  });

program
  .command('redrive')
  .description('move dead-lettered messages back to calls-inbound (SQS StartMessageMoveTask; re-send + delete where unsupported or with --max)')
  .option('--dry-run', 'print what would move; move nothing')
  .option('--max <n>', 'move at most n messages (re-sends: a move task cannot stop at a count)', positiveInt)
  .action(async (options: { dryRun?: boolean; max?: number }) => {
    process.exitCode = await withTarget(async (target) => {
      const dlq = dlqOf(target);
      const depth = await dlq.depth();
      const count = Math.min(depth.visible, options.max ?? Number.POSITIVE_INFINITY);
      const method = options.max !== undefined ? 're-send + delete' : 'StartMessageMoveTask (re-send + delete if the endpoint lacks it)';
      if (options.dryRun) {
        const letters = await explain(await dlq.peek(Math.min(count, 50)), target, dlq);
        console.log(`dry run: would move ${count} message(s) from ${target.resources.dlqUrl} to ${target.resources.queueUrl} by ${method}; nothing moved`);
        if (letters.length > 0) console.log(renderTable(letters));
        if (count > letters.length) console.log(`… and ${count - letters.length} more`);
        return 0;
      }
      if (count === 0) {
        console.log(`nothing to redrive: ${target.resources.dlqUrl} is empty${depth.inFlight ? ` (${depth.inFlight} in flight)` : ''}`);
        return 0;
      }
      const bar = new SingleBar({ format: 'redrive [{bar}] {value}/{total} {status}', stream: process.stderr, hideCursor: true, noTTYOutput: true }, Presets.shades_classic);
      bar.start(count, 0, { status: 'STARTING' });
      const onProgress = (p: RedriveProgress) => {
        bar.setTotal(Math.max(p.toMove, count));
        bar.update(p.moved, { status: p.status });
      };
      try {
        const result = await dlq.redrive({ max: options.max, onProgress });
        bar.stop();
        console.log(`moved ${result.moved} message(s) to ${target.resources.queueUrl} (${result.method === 'move-task' ? 'StartMessageMoveTask' : 're-send + delete'}); ingest processes them as new deliveries`);
        return 0;
      } catch (error) {
        bar.stop();
        console.error(`dlq redrive: ${(error as Error).message}`);
        return 1;
      }
    });
  });

async function withTarget(run: (target: Target) => Promise<number>): Promise<number> {
  const target = await connectTarget('dlq');
  if (!target) return 1;
  if (!target.resources.dlqUrl) {
    console.error(`dlq: ${target.label} has no dead-letter queue for calls-inbound`);
    return 1;
  }
  return run(target);
}

function dlqOf(target: Target): SqsDeadLetterQueue {
  return new SqsDeadLetterQueue(target.resources.dlqUrl, target.resources.queueUrl, new SQSClient({ region: target.region }));
}

/**
 * SQS does not keep why a message failed; the ingest log and metrics do. What the store can say:
 * a rejection item for the message (input that can never succeed), or notes already stored for the
 * call (another delivery got through). Otherwise the message failed transiently on every receive.
 */
async function explain(letters: DeadLetter[], target: Target, dlq: SqsDeadLetterQueue): Promise<DeadLetterReport[]> {
  const store = new DynamoDbCallStore(target.resources.table, new DynamoDBClient({ region: target.region }));
  const maxReceives = (await dlq.maxReceiveCount()) ?? 5;
  return Promise.all(
    letters.map(async (letter) => {
      const about = callOf(letter.body);
      const [rejection, call] = await Promise.all([
        store.findRejection(letter.messageId, about.callId).catch(() => undefined),
        about.callId ? store.getCall(about.callId).catch(() => undefined) : undefined,
      ]);
      let reason = `transient failures exhausted ${maxReceives} receives (see ingest logs / metrics)`;
      if (rejection) reason = `rejected: ${rejection.reason} at ${rejection.field}: ${rejection.message}`;
      else if (call) reason = `${reason}; notes for ${call.callId} are stored (processed ${call.processedAt}), from another delivery`;
      return {
        messageId: letter.messageId,
        ...about,
        receiveCount: letter.receiveCount,
        sentAt: letter.sentAt,
        firstReceivedAt: letter.firstReceivedAt,
        reason,
      };
    }),
  );
}

/** The call id of an inline message; for an S3 event notification, the object (and its file name). */
function callOf(body: string): { callId?: string; object?: string } {
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    const match = /"callId"\s*:\s*"([^"]{1,128})"/.exec(body);
    return match ? { callId: match[1] } : {};
  }
  const s3 = Array.isArray(json?.Records) ? json.Records[0]?.s3 : undefined;
  if (s3?.object?.key) {
    const key = decodeURIComponent(String(s3.object.key).replace(/\+/g, ' '));
    return { object: `s3://${s3.bucket?.name}/${key}`, callId: key.split('/').pop()!.replace(/\.\w+$/, '') };
  }
  return typeof json?.callId === 'string' ? { callId: json.callId } : {};
}

function renderTable(reports: DeadLetterReport[]): string {
  const table = new Table({
    head: ['message id', 'call', 'receives', 'sent', 'first received', 'reason'],
    colWidths: [14, 28, 10, 22, 22, 54],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const r of reports) {
    table.push([r.messageId.slice(0, 12), r.object ?? r.callId ?? '(none)', String(r.receiveCount), r.sentAt ?? '', r.firstReceivedAt ?? '', r.reason]);
  }
  return table.toString();
}

await program.parseAsync();
