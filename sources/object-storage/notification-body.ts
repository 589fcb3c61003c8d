/**
 * What a push notification's body is, whichever provider sent it
 * (../shared/reference/test-infrastructure.md §2.2):
 *
 *   {"Records": […]}                          AWS S3, Ceph RGW
 *   {"EventName", "Key", "Records": […]}      MinIO's webhook
 *   {"Service", "Event": "s3:TestEvent", …}   AWS's one-off test when a configuration is made: ignored
 *   {"Type": "Notification", "Message": …}    an Amazon SNS envelope; Message is one of the above as a string
 *   {"Type": "SubscriptionConfirmation", …}   SNS asking to confirm (SubscribeURL)
 *
 * Pure: the parsed JSON in, a verdict out. Verifying an SNS signature and confirming a
 * subscription are the receiver's (they need the network); this only says which it is. A body
 * with one bad record is refused whole, with the record's index and field, so a provider that
 * retries does not have half of a request stored.
 */
import { z } from 'zod';
import { type S3EventRecord, s3EventRecordSchema } from './s3-event-record.ts';

/** The fields of an SNS message that are signed or needed (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). */
const snsEnvelopeSchema = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.url(),
  Subject: z.string().optional(),
  SubscribeURL: z.url().optional(),
  Token: z.string().optional(),
});

export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

export type NotificationBody =
  | { readonly kind: 'records'; readonly records: readonly S3EventRecord[] }
  | { readonly kind: 'test-event' }
  | { readonly kind: 'sns'; readonly envelope: SnsEnvelope }
  | { readonly kind: 'invalid'; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A body that is not an SNS envelope: S3 records (AWS, RGW, MinIO) or the test event. */
export function readS3Body(body: unknown): NotificationBody {
  if (!isObject(body)) return { kind: 'invalid', reason: 'the body is not a JSON object' };
  if (body['Event'] === 's3:TestEvent') return { kind: 'test-event' };
  const records = body['Records'];
  if (!Array.isArray(records)) return { kind: 'invalid', reason: 'the body has no "Records" array (expected an S3 event notification: {"Records": […]})' };
  const parsed: S3EventRecord[] = [];
  const problems: string[] = [];
  records.forEach((record, i) => {
    const result = s3EventRecordSchema.safeParse(record);
    if (result.success) parsed.push(result.data);
    else for (const issue of result.error.issues) problems.push(`Records[${i}]${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`);
  });
  if (problems.length > 0) return { kind: 'invalid', reason: `the body's records are not S3 event records: ${problems.join('; ')}` };
  return { kind: 'records', records: parsed };
}

/** Any push body: an SNS envelope (by its `Type` and `TopicArn`) or an S3 body. */
export function readNotificationBody(body: unknown): NotificationBody {
  if (isObject(body) && typeof body['Type'] === 'string' && 'TopicArn' in body) {
    const result = snsEnvelopeSchema.safeParse(body);
    if (!result.success) return { kind: 'invalid', reason: `the SNS message is not valid: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` };
    return { kind: 'sns', envelope: result.data };
  }
  return readS3Body(body);
}

/** The S3 body an SNS Notification carries in `Message` (a JSON string). */
export function readSnsMessage(envelope: SnsEnvelope): NotificationBody {
  let message: unknown;
  try {
    message = JSON.parse(envelope.Message);
  } catch (error) {
    return { kind: 'invalid', reason: `the SNS notification's Message is not JSON: ${(error as Error).message}` };
  }
  return readS3Body(message);
}
