import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startSession } from './session';

/** The tab's entry: sign in, then the dashboard (unless the browser is on its way to the sign-in page). */
startSession().then((session) => {
  if (session.status === 'leaving') return;
  createRoot(document.getElementById('root')!).render(<App session={session} />);
});
