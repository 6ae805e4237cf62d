/**
 * Errors raised before a request reaches Apollo Server (an oversized or unparsable body, a
 * missing asset) answered as GraphQL-shaped JSON instead of Express's HTML error page, which
 * also carries a stack trace outside production.
 */
import { STATUS_CODES } from 'node:http';
import { ErrorCode, RequestErrorCode } from '@microservice-math/shared/errors';
import { InexactJsonNumber, isJson } from '@microservice-math/shared/exactJson';
import type { Logger } from '@microservice-math/shared/logger';
import type { ErrorRequestHandler } from 'express';

interface HttpError extends Error {
  status?: number;
  /** body-parser's reason, e.g. "entity.too.large". */
  type?: string;
  limit?: number;
  expose?: boolean;
  /** Set by zlib when a compressed body does not decompress. */
  errno?: number;
  /** The body body-parser could not use, as text. */
  body?: unknown;
}

/** The encodings body-parser decompresses. */
const DECOMPRESSED = new Set(['gzip', 'deflate', 'br']);

/**
 * What the client is told: only our own words. body-parser passes on the message of whatever
 * failed underneath it (zlib's "incorrect header check"), which names nothing the client sent.
 */
function clientMessage(error: HttpError, status: number, contentEncoding?: string): string {
  switch (error.type) {
    case 'entity.too.large':
      return `The request body is larger than the router accepts (${error.limit} bytes)`;
    case 'entity.parse.failed':
      // body-parser also refuses valid JSON that is not an object or array (`42`, `"…"`).
      return isJson(error.body)
        ? 'The request body must be a JSON object: {"query": "…", "variables": {…}}'
        : 'The request body is not valid JSON';
    case 'encoding.unsupported':
      return "The request body's content-encoding is not supported: use gzip, deflate, br or none";
    case 'charset.unsupported':
      return 'The request body must be JSON in UTF-8';
    case undefined:
      break;
    default: // body-parser's other reasons: aborted, shorter than its content-length, …
      return 'The request body could not be read';
  }
  // zlib's errors carry its error number; body-parser gives them no type.
  const encoding = contentEncoding?.trim().toLowerCase();
  if (typeof error.errno === 'number' && encoding && DECOMPRESSED.has(encoding))
    return `The request body is not valid ${encoding} (its content-encoding)`;
  // Static files' refusals (a malformed or forbidden path): the status's own name.
  return STATUS_CODES[status] ?? 'Bad request';
}

export function requestErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: HttpError, req, res, next) => {
    if (res.headersSent) return next(error);
    // Answered with its own GraphQL error (BAD_USER_INPUT) by ServiceHost, as in every service.
    if (error instanceof InexactJsonNumber) return next(error);
    const status = error.status ?? 500;
    if (status >= 400 && status < 500 && error.expose !== false) {
      res.status(status).json({
        errors: [
          {
            message: clientMessage(error, status, req.headers['content-encoding']),
            extensions: { code: RequestErrorCode.BadRequest },
          },
        ],
      });
      return;
    }
    logger.error({ err: error, url: req.originalUrl }, 'unexpected error before GraphQL');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.Internal } }],
    });
  };
}
