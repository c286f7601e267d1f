import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { completeSignIn, signOut, usesSignIn } from './auth.ts';
import { CallPage } from './CallPage.tsx';
import { DailyFiles } from './DailyFiles.tsx';
import { FindCall } from './FindCall.tsx';
import { LiveCalls } from './LiveCalls.tsx';
import { Notice } from './Notice.tsx';
import { href, onLinkClick, useRoute, type Route } from './router.ts';
import './styles.css';

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(false);
  useEffect(() => {
    void usesSignIn().then(setSignedIn);
  }, []);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">AudioHook Transcribe</span>
        <nav aria-label="Console">
          <NavLink path="" current={route.page === 'live' || route.page === 'call'}>
            Live calls
          </NavLink>
          <NavLink path="find" current={route.page === 'find'}>
            Find a call
          </NavLink>
          <NavLink path="files" current={route.page === 'files'}>
            Daily files
          </NavLink>
        </nav>
        {signedIn ? (
          <button type="button" class="link" onClick={() => void signOut()}>
            Sign out
          </button>
        ) : null}
      </header>
      <main id="main">
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'live':
      return <LiveCalls />;
    case 'call':
      return <CallPage conversationId={route.id!} />;
    case 'find':
      return <FindCall />;
    case 'files':
      return <DailyFiles />;
    default:
      return (
        <Notice kind="empty" title="No such page">
          <p>
            <a href={href('')} onClick={onLinkClick('')}>
              Go to the live calls
            </a>
            .
          </p>
        </Notice>
      );
  }
}

function NavLink({ path, current, children }: { path: string; current: boolean; children: string }) {
  return (
    <a href={href(path)} onClick={onLinkClick(path)} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

await completeSignIn();
render(<App />, document.getElementById('app')!);
