// Parse error codes and the error type every REST handler throws; the HTTP layer turns it into `{code, error}`.

export const ErrorCode = {
  OTHER_CAUSE: -1,
  INTERNAL_SERVER_ERROR: 1,
  OBJECT_NOT_FOUND: 101,
  INVALID_QUERY: 102,
  INVALID_CLASS_NAME: 103,
  INVALID_KEY_NAME: 105,
  INVALID_JSON: 107,
  INCORRECT_TYPE: 111,
  OPERATION_FORBIDDEN: 119,
  INVALID_ACL: 123,
  INVALID_EMAIL_ADDRESS: 125,
  USERNAME_MISSING: 200,
  PASSWORD_MISSING: 201,
  USERNAME_TAKEN: 202,
  EMAIL_TAKEN: 203,
  SESSION_MISSING: 206,
  INVALID_SESSION_TOKEN: 209,
} as const;

export class ParseError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

/** Parse Server answers 404 for "not found", 500 for internal errors and 400 for every other Parse error. */
export function httpStatusFor(error: ParseError): number {
  if (error.code === ErrorCode.OBJECT_NOT_FOUND) return 404;
  if (error.code === ErrorCode.INTERNAL_SERVER_ERROR) return 500;
  return 400;
}

/** What Parse Server sends when an unexpected exception escapes a handler (note `message`, not `error`). */
export class InternalError extends Error {
  constructor(message = 'Internal server error.') {
    super(message);
    this.name = 'InternalError';
  }
}
