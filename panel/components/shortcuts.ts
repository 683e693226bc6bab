// Which panel shortcut a key press means, if any: outside text fields only, as in Chrome DevTools, so that Ctrl+K,
// Ctrl+E, `/` and the arrows keep their editing meaning while the caret is in a field.

export type ShortcutAction = 'toggleRecording' | 'clear' | 'undoClear' | 'focusFilter' | 'escape';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Whether the key goes to a field that takes typing (see takesTyping). */
  inTextField: boolean;
}

const NOT_TYPED_INPUTS = new Set(['button', 'checkbox', 'color', 'file', 'hidden', 'image', 'radio', 'range', 'reset', 'submit']);

/** Inputs one types into, text areas, selects (arrows and letters pick an option) and anything contenteditable. */
export function takesTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement) return !NOT_TYPED_INPUTS.has(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/**
 * On macOS Ctrl+K, Ctrl+E and Ctrl+F edit text (kill line, end of line, forward) and Cmd is the shortcut key; elsewhere
 * Ctrl is. In a text field only Find (Cmd+F on macOS, Ctrl+F elsewhere) and Esc act on the panel.
 */
export function shortcutFor(press: KeyPress, mac: boolean): ShortcutAction | null {
  const key = press.key.toLowerCase();
  if (press.key === 'Escape') return 'escape';
  if (press.altKey) return null;
  const platformMod = mac ? press.metaKey : press.ctrlKey;
  if (press.inTextField) return platformMod && key === 'f' ? 'focusFilter' : null;
  const mod = press.ctrlKey || press.metaKey;
  if (mod && key === 'e') return 'toggleRecording';
  if (mod && key === 'k') return 'clear';
  if (mod && key === 'z') return 'undoClear';
  if ((mod && key === 'f') || (!mod && press.key === '/')) return 'focusFilter';
  return null;
}
