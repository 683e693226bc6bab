// Plain-language explanations of LiveQuery server errors, shown next to the server's own text.

const HINTS: Record<number, string> = {
  1: 'the server rejected a frame (unknown op, missing or extra field); is the server the version you expect?',
  2: 'the server does not know this client or subscription; it reconnects and subscribes again',
  3: 'the server did not understand the operation',
  4: 'check the JavaScript key / master key of this server (liveQuery keyPairs)',
  101: 'the query is not allowed (invalid regex, protected field or query too complex)',
  119: 'class-level permissions deny find on this class for this session',
  141: 'a Cloud Code trigger (beforeConnect / beforeSubscribe) rejected the request',
  209: 'the session token is invalid or expired (or _Session needs a valid one)',
};

export function explainServerError(code: number, message: string): string {
  const hint = HINTS[code];
  return hint ? `${message} (code ${code}): ${hint}` : `${message} (code ${code})`;
}
