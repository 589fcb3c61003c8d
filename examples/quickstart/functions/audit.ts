/** Logs every fulfilled order; replies with nothing. */
export default function audit(event: { type: string; subject?: string; data?: unknown }, context: { logger: { info(fields: object, message: string): void } }) {
  context.logger.info({ type: event.type, subject: event.subject, data: event.data }, 'audit');
}
