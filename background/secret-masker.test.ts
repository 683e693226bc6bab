import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretMasker } from './secret-masker.js';

describe('SecretMasker', () => {
  it('masks the secrets known at each use: one added later, one changed, none left', () => {
    const secrets: (string | undefined)[] = ['master-key-123456', undefined];
    const masker = new SecretMasker(() => secrets);
    assert.doesNotMatch(masker.text('echo master-key-123456'), /master-key-123456/);
    assert.equal(masker.text('echo r:token-abcdef-0001'), 'echo r:token-abcdef-0001', 'not known yet');
    secrets.push('r:token-abcdef-0001');
    assert.doesNotMatch(masker.text('echo r:token-abcdef-0001'), /token-abcdef-0001/, 'added after the first use');
    secrets[0] = 'other-master-key-654321';
    assert.doesNotMatch(masker.text('echo other-master-key-654321'), /other-master-key/, 'changed in place');
    secrets.length = 0;
    assert.equal(masker.text('echo other-master-key-654321'), 'echo other-master-key-654321', 'gone');
  });

  it('masks a marker’s texts and keeps its shape', () => {
    const masker = new SecretMasker(() => ['js-key-secret-42']);
    const marker = masker.marker({ type: 'socketError', message: 'refused js-key-secret-42' });
    assert.equal(marker.type, 'socketError');
    assert.doesNotMatch(JSON.stringify(marker), /js-key-secret-42/);
  });
});
