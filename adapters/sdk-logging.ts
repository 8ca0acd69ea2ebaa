/**
 * The SDK's logger middleware copies every request's input and output through the sensitive-field
 * filter of its schema before handing them to the client's logger, even when that logger is the
 * SDK's default no-op. Our clients never get a logger (Powertools logs for the functions), so the
 * ingest function's clients, which send three requests for every call, go without the middleware:
 * in the ingest profile the filter was about 0.1 ms of CPU per call, for nothing. The other
 * functions send a few requests an invocation and keep the SDK's defaults.
 */
export function withoutSdkLogger<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
