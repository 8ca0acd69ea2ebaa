import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
} from '@aws-sdk/client-sqs';

/** One message in the dead-letter queue, as SQS reports it. */
export interface DeadLetter {
  messageId: string;
  body: string;
  /** ApproximateReceiveCount: on AWS it carries the inbound queue's receives over (local-aws-sqs restarts it at 0). */
  receiveCount: number;
  /** When the message was first sent to the inbound queue (SentTimestamp), ISO. */
  sentAt?: string;
  /** ApproximateFirstReceiveTimestamp, ISO. */
  firstReceivedAt?: string;
  /** The queue it was dead-lettered from (DeadLetterQueueSourceArn), when SQS says. */
  sourceArn?: string;
  messageAttributes: Message['MessageAttributes'];
}

export interface DlqDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface RedriveProgress {
  moved: number;
  toMove: number;
  status: string;
}

export interface RedriveResult {
  method: 'move-task' | 'resend';
  moved: number;
  status: string;
  failureReason?: string;
}

export interface RedriveOptions {
  /** Move at most this many messages; a move task cannot stop at a count, so this re-sends. */
  max?: number;
  /** 'auto' uses StartMessageMoveTask when the endpoint supports it, else re-send + delete. */
  method?: 'auto' | 'move-task' | 'resend';
  onProgress?: (progress: RedriveProgress) => void;
  pollMs?: number;
}

export class DlqError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DlqError';
  }
}

/** Error names an endpoint answers with when it does not implement StartMessageMoveTask. */
const UNSUPPORTED = new Set(['UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', 'InvalidAction', 'UnknownOperationException', 'NotImplemented']);

/**
 * How long a listing holds the messages it has already seen (then releases them at once). A
 * VisibilityTimeout of 0 does not hide anything, but SQS then keeps answering with the same first
 * messages (local-aws-sqs deterministically, AWS by sampling), so nothing past the first page is
 * ever reached; a short hold is what makes paging possible, and if the command dies the messages
 * come back on their own after it.
 */
const PEEK_HOLD_SECONDS = 30;

/**
 * The inbound queue's dead-letter queue: peek, count, and move messages back to the queue they came
 * from. Moves go through SQS's own redrive (StartMessageMoveTask) where available; the fallback
 * sends a copy to the source queue and only then deletes the dead letter, so a crash in between
 * leaves a duplicate (which ingest absorbs) rather than a lost message.
 */
export class SqsDeadLetterQueue {
  readonly #client: SQSClient;

  constructor(
    readonly dlqUrl: string,
    readonly sourceQueueUrl: string,
    client?: SQSClient,
  ) {
    this.#client = client ?? new SQSClient({});
  }

  async depth(): Promise<DlqDepth> {
    const { Attributes = {} } = await this.#client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  /** The source queue's maxReceiveCount (its RedrivePolicy), when it has one. */
  async maxReceiveCount(): Promise<number | undefined> {
    const { Attributes = {} } = await this.#client.send(new GetQueueAttributesCommand({ QueueUrl: this.sourceQueueUrl, AttributeNames: ['RedrivePolicy'] }));
    if (!Attributes.RedrivePolicy) return undefined;
    const count = Number((JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isFinite(count) ? count : undefined;
  }

  /**
   * Up to `limit` dead letters, without consuming them: pages are received with a short hold so
   * each page brings new messages, then every one is made visible again before returning.
   * Receiving counts as a receive: SQS adds one to each message's receive count per listing.
   */
  async peek(limit: number): Promise<DeadLetter[]> {
    const seen = new Map<string, Message>();
    const handles: { id: string; handle: string }[] = [];
    try {
      let emptyPages = 0;
      while (seen.size < limit && emptyPages < 2) {
        const { Messages = [] } = await this.#client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.dlqUrl,
            MaxNumberOfMessages: Math.min(10, limit - seen.size),
            VisibilityTimeout: PEEK_HOLD_SECONDS,
            WaitTimeSeconds: emptyPages === 0 ? 0 : 1,
            MessageSystemAttributeNames: ['All'],
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        emptyPages = Messages.length === 0 ? emptyPages + 1 : 0;
        for (const m of Messages) {
          handles.push({ id: m.MessageId!, handle: m.ReceiptHandle! });
          if (!seen.has(m.MessageId!)) seen.set(m.MessageId!, m);
        }
      }
    } finally {
      await this.#release(handles);
    }
    return [...seen.values()].slice(0, limit).map(toDeadLetter);
  }

  /** Moves dead letters back to the source queue. */
  async redrive(options: RedriveOptions = {}): Promise<RedriveResult> {
    const method = options.method ?? 'auto';
    if (method === 'resend' || options.max !== undefined) return this.#resend(options);
    try {
      return await this.#moveTask(options);
    } catch (error) {
      if (method === 'auto' && UNSUPPORTED.has((error as { name?: string }).name ?? '')) return this.#resend(options);
      throw error;
    }
  }

  async #moveTask(options: RedriveOptions): Promise<RedriveResult> {
    const [sourceArn, destinationArn] = await Promise.all([this.#arn(this.dlqUrl), this.#arn(this.sourceQueueUrl)]);
    const { TaskHandle } = await this.#client.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
    const pollMs = options.pollMs ?? 1000;
    for (;;) {
      const { Results = [] } = await this.#client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
      // The running task carries its handle; once finished it no longer does, and it is the newest.
      const task: ListMessageMoveTasksResultEntry | undefined = Results.find((t) => t.TaskHandle === TaskHandle) ?? Results[0];
      if (!task) throw new DlqError(`the move task ${TaskHandle} is not listed by ListMessageMoveTasks`);
      const progress = { moved: Number(task.ApproximateNumberOfMessagesMoved ?? 0), toMove: Number(task.ApproximateNumberOfMessagesToMove ?? 0), status: task.Status ?? 'UNKNOWN' };
      options.onProgress?.(progress);
      if (task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') {
        if (task.Status !== 'COMPLETED') {
          throw new DlqError(`the move task ended ${task.Status}${task.FailureReason ? `: ${task.FailureReason}` : ''} after moving ${progress.moved} message(s)`);
        }
        return { method: 'move-task', moved: progress.moved, status: progress.status };
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async #resend(options: RedriveOptions): Promise<RedriveResult> {
    const limit = options.max ?? Number.POSITIVE_INFINITY;
    const toMove = Math.min(limit, (await this.depth()).visible);
    let moved = 0;
    options.onProgress?.({ moved, toMove, status: 'RUNNING' });
    while (moved < limit) {
      const { Messages = [] } = await this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.dlqUrl,
          MaxNumberOfMessages: Math.min(10, limit - moved),
          // Long enough to send and delete a batch; if we die, the messages come back here.
          VisibilityTimeout: 60,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      // Send first, delete after: a crash in between duplicates a message, never loses one.
      const { Successful = [], Failed = [] } = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.sourceQueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })),
        }),
      );
      const sent = Successful.map((s) => Messages[Number(s.Id)]!);
      if (sent.length > 0) {
        await this.#client.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.dlqUrl, Entries: sent.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
      }
      moved += sent.length;
      options.onProgress?.({ moved, toMove: Math.max(toMove, moved), status: 'RUNNING' });
      if (Failed.length > 0) {
        await this.#release(Failed.map((f) => ({ id: Messages[Number(f.Id)]!.MessageId!, handle: Messages[Number(f.Id)]!.ReceiptHandle! })));
        throw new DlqError(`could not send ${Failed.length} message(s) to the source queue (${Failed[0]!.Code}: ${Failed[0]!.Message}); they stay in the DLQ`);
      }
    }
    options.onProgress?.({ moved, toMove: moved, status: 'COMPLETED' });
    return { method: 'resend', moved, status: 'COMPLETED' };
  }

  async #release(handles: { id: string; handle: string }[]): Promise<void> {
    for (let i = 0; i < handles.length; i += 10) {
      const chunk = handles.slice(i, i + 10);
      await this.#client
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.dlqUrl, Entries: chunk.map((h, j) => ({ Id: String(j), ReceiptHandle: h.handle, VisibilityTimeout: 0 })) }))
        .catch(() => {}); // best effort: the hold expires by itself
    }
  }

  async #arn(queueUrl: string): Promise<string> {
    const { Attributes = {} } = await this.#client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    if (!Attributes.QueueArn) throw new DlqError(`no QueueArn for ${queueUrl}`);
    return Attributes.QueueArn;
  }
}

function toDeadLetter(m: Message): DeadLetter {
  const a = m.Attributes ?? {};
  const iso = (ms: string | undefined) => (ms && Number(ms) > 0 ? new Date(Number(ms)).toISOString() : undefined);
  return {
    messageId: m.MessageId!,
    body: m.Body ?? '',
    receiveCount: Number(a.ApproximateReceiveCount ?? 0),
    sentAt: iso(a.SentTimestamp),
    firstReceivedAt: iso(a.ApproximateFirstReceiveTimestamp),
    sourceArn: a.DeadLetterQueueSourceArn,
    messageAttributes: m.MessageAttributes,
  };
}
