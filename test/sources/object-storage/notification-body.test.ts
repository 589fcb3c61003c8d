import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNotificationBody, readSnsMessage } from '../../../sources/object-storage/notification-body.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/s3-events/${name}`, import.meta.url), 'utf8'));

/** The shape of AWS's documented SNS HTTP notification (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html); not signed here. */
function snsEnvelope(type: string, message: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: type,
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2012-05-02T00:54:06.655Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEw6JRN...',
    SigningCertURL: 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ...extra,
  };
}

describe('push notification bodies', () => {
  it("AWS's {Records} and MinIO's webhook body both give their records", () => {
    const aws = readNotificationBody(fixture('aws-s3-objectcreated-put-v2.1.json'));
    expect(aws.kind === 'records' && aws.records.map((r) => r.s3.object.key)).toEqual(['HappyFace.jpg']);
    const minio = readNotificationBody(fixture('minio-objectcreated-put-webhook.json'));
    expect(minio.kind === 'records' && minio.records.map((r) => r.eventName)).toEqual(['s3:ObjectCreated:Put']);
  });

  it("AWS's s3:TestEvent is recognised (to be ignored), bare or inside an SNS notification", () => {
    expect(readNotificationBody(fixture('aws-s3-test-event.json'))).toEqual({ kind: 'test-event' });
    const sns = readNotificationBody(snsEnvelope('Notification', fixture('aws-s3-test-event.json')));
    expect(sns.kind === 'sns' && readSnsMessage(sns.envelope)).toEqual({ kind: 'test-event' });
  });

  it("an SNS Notification carries the S3 body in its Message; a SubscriptionConfirmation is told apart with its SubscribeURL", () => {
    const sns = readNotificationBody(snsEnvelope('Notification', fixture('aws-s3-objectcreated-put-v2.1.json')));
    expect(sns.kind).toBe('sns');
    const inner = sns.kind === 'sns' ? readSnsMessage(sns.envelope) : undefined;
    expect(inner?.kind === 'records' && inner.records).toHaveLength(1);
    const confirm = readNotificationBody(snsEnvelope('SubscriptionConfirmation', 'You have chosen to subscribe…', { SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=x', Token: 'x' }));
    expect(confirm.kind === 'sns' && confirm.envelope.SubscribeURL).toMatch(/^https:\/\/sns\./);
  });

  it('refuses what is not a notification, naming the record and the field; one bad record refuses the whole body', () => {
    expect(readNotificationBody([1, 2])).toEqual({ kind: 'invalid', reason: 'the body is not a JSON object' });
    expect(readNotificationBody({ hello: 'world' })).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/no "Records" array/) });
    const good = (fixture('aws-s3-objectcreated-put-v2.1.json') as { Records: unknown[] }).Records[0];
    const bad = readNotificationBody({ Records: [good, { ...(good as object), eventTime: 'soon' }] });
    expect(bad).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^the body's records are not S3 event records: Records\[1\]\.eventTime: /) });
    const badSns = readNotificationBody({ ...snsEnvelope('Notification', {}), SigningCertURL: 'not a url' });
    expect(badSns).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^the SNS message is not valid: SigningCertURL: /) });
    const notJson = readNotificationBody(snsEnvelope('Notification', '{"Records": ['));
    expect(notJson.kind === 'sns' && readSnsMessage(notJson.envelope)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^the SNS notification's Message is not JSON/) });
  });
});
