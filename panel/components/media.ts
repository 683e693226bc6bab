// Whether a media query matches the panel's own viewport (the DevTools panel frame), kept up to date.

import { useEffect, useState } from 'preact/hooks';

/** Below this panel width the sidebar goes above the timeline instead of beside it (DevTools docked to a side). */
export const STACKED_QUERY = '(max-width: 720px)';

export function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}
