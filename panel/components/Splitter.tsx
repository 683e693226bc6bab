// A separator the user drags (or moves with the arrow keys) to resize what is before it: a pane or a column.

import { useRef } from 'preact/hooks';

export interface SplitterProps {
  /** 'vertical': a vertical bar that resizes a width; 'horizontal': a bar that resizes a height. */
  orientation: 'vertical' | 'horizontal';
  /** The size it resizes now, in CSS pixels. */
  size: number;
  onResize(size: number): void;
  label: string;
  testId?: string;
  class?: string;
}

const KEY_STEP = 16;

export function Splitter({ orientation, size, onResize, label, testId, class: className = '' }: SplitterProps) {
  const drag = useRef<{ start: number; size: number } | null>(null);
  const position = (e: PointerEvent) => (orientation === 'vertical' ? e.clientX : e.clientY);
  const [less, more] = orientation === 'vertical' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  return (
    <div
      class={`splitter splitter-${orientation} ${className}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={Math.round(size)}
      title={`${label} (drag, or arrow keys)`}
      tabIndex={0}
      data-testid={testId}
      onPointerDown={(e) => {
        e.preventDefault();
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { start: position(e), size };
      }}
      onPointerMove={(e) => {
        if (drag.current) onResize(drag.current.size + position(e) - drag.current.start);
      }}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      onKeyDown={(e) => {
        if (e.key !== less && e.key !== more) return;
        e.preventDefault();
        e.stopPropagation();
        onResize(size + (e.key === more ? KEY_STEP : -KEY_STEP));
      }}
    />
  );
}
