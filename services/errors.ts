/**
 * Every error a user can see, in one table: a stable code, the HTTP status where it crosses an
 * HTTP edge, and a one-line summary. Codes are never reused or renamed; `docs/errors.md` documents
 * each one and `test/errors.test.ts` fails when a code is missing there.
 */
export const errorTable = {
  SWY_EVENT_INVALID: { status: 400, summary: 'The CloudEvent breaks a rule of the CloudEvents 1.0.2 specification.' },
  SWY_EVENT_MALFORMED: { status: 400, summary: 'The request body cannot be read as a CloudEvent (bad JSON, missing ce-specversion).' },
  SWY_EVENT_FORMAT_UNSUPPORTED: { status: 415, summary: 'The structured-mode event format is not JSON.' },
  SWY_TTL_EXHAUSTED: { status: 400, summary: 'The event has used up its knativebrokerttl hop count.' },
  SWY_BROKER_NOT_FOUND: { status: 404, summary: 'No broker of that namespace and name is configured.' },
  SWY_TRIGGER_NOT_FOUND: { status: 404, summary: 'No trigger of that namespace and name is configured, and no dead letter names it.' },
  SWY_ROUTE_NOT_FOUND: { status: 404, summary: 'Nothing is served at that path.' },
  SWY_METHOD_NOT_ALLOWED: { status: 405, summary: 'The path does not accept that HTTP method.' },
  SWY_BODY_TOO_LARGE: { status: 413, summary: 'The request body exceeds the configured limit.' },
  SWY_HEADERS_TOO_LARGE: { status: 431, summary: "The request's headers exceed the server's limit." },
  SWY_OVERLOADED: { status: 429, retryAfterSeconds: 1, summary: 'The platform has too many events waiting to be stored; retry after the given delay.' },
  SWY_STORE_UNAVAILABLE: { status: 503, retryAfterSeconds: 5, summary: 'The event store failed, cannot commit or is closing; retry after the given delay.' },
  SWY_KAFKA_UNAVAILABLE: { status: 503, retryAfterSeconds: 5, summary: "A KafkaSink's Kafka did not acknowledge the events (unreachable, a missing topic, a refused produce); nothing was produced for certain; retry after the given delay." },
  SWY_WEBHOOK_UNAUTHORIZED: { status: 401, summary: "A WebhookSource request failed its source's authentication (signature, timestamp, token or password)." },
  SWY_WEBHOOK_REJECTED: { status: 400, summary: 'A WebhookSource request lacks what the source needs to build an event (a header it names), or its JSON body does not parse.' },
  SWY_UNAUTHORIZED: { status: 401, summary: 'The request carries no token, or one the platform does not know, for a path that needs one (the admin API, a broker with ingress tokens).' },
  SWY_FORBIDDEN: { status: 403, summary: "The request's token may not do this (a read token asking to redrive or purge), or redrive --to names a host the platform does not allow." },
  SWY_DEAD_LETTER_NOT_FOUND: { status: 404, summary: 'No dead letter has that id.' },
  SWY_BAD_REQUEST: { status: 400, summary: 'A query parameter or request body of the admin API is invalid.' },
  SWY_INTERNAL: { status: 500, summary: 'An unexpected failure inside the platform; the log has the details.' },
  SWY_CONFIG_INVALID: { status: 0, summary: 'A manifest breaks the schema or a validation rule; every problem is listed with file, line and column.' },
  SWY_STORE_URL_INVALID: { status: 0, summary: 'The --store value is not a supported store URL.' },
  SWY_STORE_OPEN_FAILED: { status: 0, summary: 'The event store could not be opened.' },
  SWY_USAGE: { status: 0, summary: 'The command line is wrong: unknown command, unknown flag or bad flag value.' },
  SWY_PLATFORM_UNREACHABLE: { status: 0, summary: 'The command could not reach a running platform over HTTP.' },
  SWY_PUBLISH_REFUSED: { status: 0, summary: 'The platform answered a publish with an error status.' },
  SWY_API_ERROR: { status: 0, summary: 'The platform answered an admin command with an error status.' },
  SWY_FUNCTION_LOAD_FAILED: { status: 0, summary: 'A Function handler module cannot be loaded (missing, a syntax error, no default export).' },
  SWY_INSECURE_LISTEN: { status: 0, summary: 'switchyard run would listen beyond this machine without admin tokens; give tokens, or --insecure.' },
  SWY_LISTEN_FAILED: { status: 0, summary: 'The platform could not listen on the requested host and port.' },
} as const satisfies Record<string, { status: number; summary: string; retryAfterSeconds?: number }>;

export type ErrorCode = keyof typeof errorTable;

/** A user-visible failure with its stable code; `details` are machine-readable facts (attribute, rule, …). */
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorTable[this.code].status;
  }

  /** The `Retry-After` an HTTP edge answers with: the error's own, else its code's in the table. */
  get retryAfterSeconds(): number | undefined {
    const own = this.details?.['retryAfterSeconds'];
    if (typeof own === 'number') return own;
    const entry = errorTable[this.code];
    return 'retryAfterSeconds' in entry ? entry.retryAfterSeconds : undefined;
  }

  /** The JSON body every HTTP edge answers errors with. */
  toBody(): { code: ErrorCode; message: string } & Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details ?? {}) };
  }
}
