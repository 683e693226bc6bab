// Key names (Playwright's spelling: "Enter", "Shift+Tab", "Control+a") to CDP Input.dispatchKeyEvent parameters.

export interface KeyEventParams {
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  text?: string;
  modifiers: number;
}

const SPECIAL: Record<string, { code: string; vk: number; text?: string }> = {
  Enter: { code: 'Enter', vk: 13, text: '\r' },
  Tab: { code: 'Tab', vk: 9 },
  Backspace: { code: 'Backspace', vk: 8 },
  Delete: { code: 'Delete', vk: 46 },
  Escape: { code: 'Escape', vk: 27 },
  ArrowLeft: { code: 'ArrowLeft', vk: 37 },
  ArrowUp: { code: 'ArrowUp', vk: 38 },
  ArrowRight: { code: 'ArrowRight', vk: 39 },
  ArrowDown: { code: 'ArrowDown', vk: 40 },
  Home: { code: 'Home', vk: 36 },
  End: { code: 'End', vk: 35 },
  PageUp: { code: 'PageUp', vk: 33 },
  PageDown: { code: 'PageDown', vk: 34 },
  Space: { code: 'Space', vk: 32, text: ' ' },
  ' ': { code: 'Space', vk: 32, text: ' ' },
};

/** CDP modifier bits. */
const MODIFIERS: Record<string, number> = { Alt: 1, Control: 2, Meta: 4, Shift: 8 };
const SHORTCUT_MODIFIERS = 1 | 2 | 4;

export function keyEvent(combo: string): KeyEventParams {
  // "Shift++" is Shift and "+": split on "+" that is not the last character.
  const parts = combo.length > 1 ? combo.split(/\+(?!$)/) : [combo];
  const name = parts.pop() ?? '';
  let modifiers = 0;
  for (const part of parts) {
    const bit = MODIFIERS[part];
    if (bit === undefined) throw new Error(`unknown modifier "${part}" in "${combo}" (use Alt, Control, Meta, Shift)`);
    modifiers |= bit;
  }
  const special = SPECIAL[name];
  let params: KeyEventParams;
  if (special) {
    params = { key: name === 'Space' ? ' ' : name, code: special.code, windowsVirtualKeyCode: special.vk, modifiers };
    if (special.text) params.text = special.text;
  } else if ([...name].length === 1) {
    const upper = name.toUpperCase();
    const code = /[a-z]/i.test(name) ? `Key${upper}` : /[0-9]/.test(name) ? `Digit${name}` : '';
    params = { key: name, code, windowsVirtualKeyCode: upper.charCodeAt(0), text: name, modifiers };
  } else {
    throw new Error(`unknown key "${name}" (supported: ${Object.keys(SPECIAL).join(', ')} or one character)`);
  }
  // With Control/Alt/Meta held the key is a shortcut, not text.
  if (modifiers & SHORTCUT_MODIFIERS) delete params.text;
  return params;
}
