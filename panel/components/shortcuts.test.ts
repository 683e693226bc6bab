import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortcutFor, type KeyPress } from './shortcuts.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, inTextField: false, ...mods });

describe('shortcutFor', () => {
  it('maps the panel shortcuts outside text fields, with Ctrl or Cmd', () => {
    assert.equal(shortcutFor(press('k', { ctrlKey: true }), false), 'clear');
    assert.equal(shortcutFor(press('K', { metaKey: true }), true), 'clear');
    assert.equal(shortcutFor(press('e', { ctrlKey: true }), false), 'toggleRecording');
    assert.equal(shortcutFor(press('z', { metaKey: true }), true), 'undoClear');
    assert.equal(shortcutFor(press('/'), false), 'focusFilter');
    assert.equal(shortcutFor(press('f', { ctrlKey: true }), false), 'focusFilter');
    assert.equal(shortcutFor(press('x'), false), null);
    assert.equal(shortcutFor(press('k', { ctrlKey: true, altKey: true }), false), null);
  });

  it('leaves editing keys to a text field: Ctrl/Cmd+K, Ctrl/Cmd+E, Ctrl/Cmd+Z, / and the arrows', () => {
    for (const mac of [false, true]) {
      for (const mods of [{ ctrlKey: true }, { metaKey: true }]) {
        for (const key of ['k', 'e', 'z']) assert.equal(shortcutFor(press(key, { ...mods, inTextField: true }), mac), null, `${key} ${JSON.stringify(mods)} mac=${mac}`);
      }
      for (const key of ['/', 'ArrowUp', 'ArrowDown', 'Home', 'End']) assert.equal(shortcutFor(press(key, { inTextField: true }), mac), null);
    }
  });

  it('still finds (the platform’s Find key) and escapes from a text field', () => {
    assert.equal(shortcutFor(press('f', { ctrlKey: true, inTextField: true }), false), 'focusFilter');
    assert.equal(shortcutFor(press('f', { metaKey: true, inTextField: true }), true), 'focusFilter');
    assert.equal(shortcutFor(press('f', { ctrlKey: true, inTextField: true }), true), null, 'Ctrl+F moves the caret on macOS');
    assert.equal(shortcutFor(press('Escape', { inTextField: true }), false), 'escape');
  });
});
