import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldListProblem } from './field-names.js';

describe('fieldListProblem', () => {
  it('accepts field names, empty lists and stray commas', () => {
    assert.equal(fieldListProblem('watch', 'score, name ,updatedAt'), null);
    assert.equal(fieldListProblem('keys', 'author.name, score_2'), null);
    assert.equal(fieldListProblem('watch', ''), null);
    assert.equal(fieldListProblem('keys', ' , '), null);
  });

  it('refuses a name that can never match, saying which and why', () => {
    assert.equal(fieldListProblem('watch', 'score, $bad field'), '"watch": "$bad field" is not a field name (a field name starts with a letter and has only letters, digits and _)');
    assert.equal(fieldListProblem('keys', '1st'), '"keys": "1st" is not a field name (a field name starts with a letter and has only letters, digits and _)');
    assert.equal(fieldListProblem('keys', 'a..b'), '"keys": "a..b" is not a field name (a field name starts with a letter and has only letters, digits and _)');
    assert.equal(fieldListProblem('watch', 'author.name'), '"watch": "author.name" is a nested field; LiveQuery watches top-level fields only');
  });
});
