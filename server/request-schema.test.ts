import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { validateRequest } from './request-schema.js';

/** Frames as JSON text, parsed the way the server parses them. */
const FRAMES = [
  'null', '5', '"x"', '[]', 'true', '{}', '{"op":5}', '{"op":"bogus"}', '{"op":"query","requestId":1}', '{"op":null}',
  '{"op":"connect"}', '{"op":"connect","applicationId":"a"}', '{"op":"connect","applicationId":5}',
  '{"op":"connect","applicationId":"a","javascriptKey":null}', '{"op":"connect","applicationId":"a","foo":1}',
  '{"op":"connect","foo":1}', '{"op":"connect","applicationId":"a","constructor":1}', '{"op":"connect","applicationId":"a","toString":1e400}',
  '{"op":"connect","applicationId":"a","__proto__":{"x":1}}', '{"op":"connect","applicationId":"a","installationId":"i","sessionToken":"t"}',
  '{"op":"connect","applicationId":"a","masterKey":"m","clientKey":"c","windowsKey":"w","restAPIKey":"r"}',
  '{"op":"subscribe"}', '{"op":"subscribe","requestId":1}', '{"op":"subscribe","query":{}}', '{"op":"subscribe","requestId":"1","query":{}}',
  '{"op":"subscribe","requestId":1,"query":{}}', '{"op":"subscribe","requestId":1,"query":{"className":"A"}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}}}', '{"op":"subscribe","requestId":1e400,"query":{"className":"A","where":{}}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":[]}}', '{"op":"subscribe","requestId":1,"query":{"className":5,"where":{}}}',
  '{"op":"subscribe","requestId":1,"query":{"where":{},"className":5}}', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":[]}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":["a","a"]}}', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":[1,1]}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":["a",1]}}', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":"a"}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"watch":[]}}', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"fields":["a"]}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":[{"a":1},{"a":1}]}}',
  '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}},"sessionToken":5}', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}},"x":1}',
  '{"op":"subscribe","x":1,"query":{"className":"A","where":{}},"requestId":"1"}', '{"op":"subscribe","query":{"className":"A","where":{}},"requestId":"1","x":1}',
  '{"op":"subscribe","requestId":1,"query":"x"}', '{"op":"update","requestId":1,"query":{"className":"A","where":{}}}', '{"op":"update","requestId":1}',
  '{"op":"unsubscribe"}', '{"op":"unsubscribe","requestId":1}', '{"op":"unsubscribe","requestId":"1"}', '{"op":"unsubscribe","requestId":1,"x":2}',
  '{"op":"unsubscribe","requestId":-0}', '{"op":"unsubscribe","requestId":1.5}',
];

describe('request schema', () => {
  it('reports the texts Parse Server sends for the common mistakes', () => {
    const check = (text: string) => validateRequest(JSON.parse(text));
    assert.equal(check('{"op":"bogus"}'), 'No enum match for: "bogus"');
    assert.equal(check('{"op":"connect"}'), 'Missing required property: applicationId');
    assert.equal(check('{"op":"connect","applicationId":"a","foo":1}'), 'Additional properties not allowed');
    assert.equal(check('{"op":"connect","applicationId":5}'), 'Invalid type: number (expected string)');
    assert.equal(check('{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":[]}}'), 'Array is too short (0), minimum 1');
    assert.equal(validateRequest({}), 'Missing required property: op');
    assert.equal(check('{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}}}'), null);
  });

  it("gives tv4's verdict with Parse Server 9.10's RequestSchema for every frame of a corpus", () => {
    const require = createRequire(import.meta.url);
    const tv4 = require('tv4') as { validate(data: unknown, schema: unknown): boolean; error: { message: string } };
    const schemas = (require('parse-server/lib/LiveQuery/RequestSchema.js') as { default: Record<string, unknown> }).default;
    const reference = (request: { op?: unknown }): string | null =>
      tv4.validate(request, schemas.general) && tv4.validate(request, schemas[request.op as string]) ? null : tv4.error.message;
    const differences: string[] = [];
    for (const text of FRAMES) {
      const expected = reference(JSON.parse(text));
      const actual = validateRequest(JSON.parse(text));
      if (expected !== actual) differences.push(`${text}: ${actual}, Parse Server ${expected}`);
    }
    assert.deepEqual(differences, []);
  });
});
