import { useEffect, useState } from 'react';

/**
 * What `load` resolves to, reloaded when a dependency changes; undefined while loading. A failure
 * goes to `onFailure` (the app turns 401 and 403 into their pages), not into the view.
 */
export function useLoaded<T>(load: () => Promise<T>, onFailure: (error: unknown) => void, dependencies: unknown[]): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    let current = true;
    setValue(undefined);
    load().then(
      (loaded) => current && setValue(loaded),
      (error: unknown) => current && onFailure(error),
    );
    return () => {
      current = false;
    };
  }, dependencies);
  return value;
}
