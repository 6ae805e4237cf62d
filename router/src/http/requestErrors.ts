/**
 * Errors raised before a request reaches Apollo Server (an oversized or unparsable body, a
 * missing asset) answered as GraphQL-shaped JSON instead of Express's HTML error page, which
 * also carries a stack trace outside production.
 */
import { ErrorCode, RequestErrorCode } from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import type { ErrorRequestHandler } from 'express';

interface HttpError extends Error {
  status?: number;
  /** body-parser's reason, e.g. "entity.too.large". */
  type?: string;
  limit?: number;
  expose?: boolean;
}

function clientMessage(error: HttpError): string {
  if (error.type === 'entity.too.large') {
    return `The request body is larger than the router accepts (${error.limit} bytes)`;
  }
  if (error.type === 'entity.parse.failed') return 'The request body is not valid JSON';
  return error.message;
}

export function requestErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: HttpError, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = error.status ?? 500;
    if (status >= 400 && status < 500 && error.expose !== false) {
      res.status(status).json({
        errors: [
          { message: clientMessage(error), extensions: { code: RequestErrorCode.BadRequest } },
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
