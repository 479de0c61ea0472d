import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { adminKey, ApiError, getJson } from "./api";
import { DecisionPageDetail } from "./pages/decision";
import { DecisionsPage } from "./pages/decisions";
import { KeysPage } from "./pages/keys";
import { LearningPage } from "./pages/learning";
import { ModelsPage } from "./pages/models";
import { OverviewPage } from "./pages/overview";
import type { DashboardConfig } from "./types";
import { live, prefetch } from "./use-live";
import "./style.css";

const pages = [
  ["overview", "Overview"],
  ["decisions", "Decisions"],
  ["models", "Models"],
  ["keys", "Keys and budgets"],
  ["learning", "Learning"],
] as const;
const windows = ["1h", "6h", "24h", "7d", "30d"];

const routeOf = (hash: string) => {
  const [page = "overview", id] = hash.replace(/^#\/?/, "").split("/");
  return { page: pages.some(([name]) => name === page) ? page : "overview", id: id === undefined ? undefined : decodeURIComponent(id) };
};

function SignIn(props: { onSignedIn: (config: DashboardConfig) => void; message: string | null }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(props.message);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const config = await getJson<DashboardConfig>("/admin/api/config", value);
      adminKey.set(value);
      props.onSignedIn(config);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 403 ? "That is not the admin key." : (caught as Error).message);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Switchyard dashboard</h1>
      <form onSubmit={submit}>
        <label>
          Admin key
          <input type="password" name="admin-key" autocomplete="current-password" required value={value} onInput={(event) => setValue((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <p>The key is the value of the gateway's admin-key environment variable (SWITCHYARD_ADMIN_KEY by default). It is kept in this tab only.</p>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}

function App() {
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [signInMessage, setSignInMessage] = useState<string | null>(null);
  const [checking, setChecking] = useState(adminKey.get() !== null);
  const [route, setRoute] = useState(routeOf(location.hash));
  const [window, setWindow] = useState("24h");
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  const signedIn = (next: DashboardConfig) => {
    live.intervalMs = next.refreshIntervalMs;
    setConfig(next);
    setChecking(false);
  };
  const onUnauthorized = () => {
    adminKey.clear();
    setConfig(null);
    setSignInMessage("The admin key was refused; sign in again.");
  };
  useEffect(() => {
    if (adminKey.get() === null) return;
    // The overview's numbers are asked for beside the config, not after it: one round trip less to the first charts.
    if (route.page === "overview") prefetch("/admin/api/overview?window=24h");
    getJson<DashboardConfig>("/admin/api/config")
      .then(signedIn)
      .catch(() => {
        adminKey.clear();
        setChecking(false);
      });
  }, []);
  useEffect(() => {
    const title = pages.find(([name]) => name === route.page)?.[1] ?? "Overview";
    document.title = `${route.id === undefined ? title : `Decision ${route.id}`} · Switchyard`;
  }, [route]);
  if (checking) return <p aria-busy="true">Loading…</p>;
  if (config === null) return <SignIn onSignedIn={signedIn} message={signInMessage} />;
  const hasWindow = route.page === "overview" || route.page === "models" || route.page === "learning";
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header>
        <span class="brand">Switchyard</span>
        <nav aria-label="Dashboard pages">
          <ul>
            {pages.map(([name, label]) => (
              <li key={name}>
                <a href={`#/${name}`} aria-current={route.page === name ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {hasWindow && (
          <label class="window">
            Time window
            <select name="window" value={window} onChange={(event) => setWindow((event.target as HTMLSelectElement).value)}>
              {windows.map((name) => (
                <option key={name} value={name}>
                  last {name}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" onClick={() => { adminKey.clear(); setConfig(null); setSignInMessage(null); }}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{route.id !== undefined ? "Decision" : pages.find(([name]) => name === route.page)?.[1]}</h1>
        {route.page === "overview" && <OverviewPage window={window} onUnauthorized={onUnauthorized} />}
        {route.page === "decisions" && route.id === undefined && <DecisionsPage targets={config.targets} onUnauthorized={onUnauthorized} />}
        {route.page === "decisions" && route.id !== undefined && <DecisionPageDetail id={route.id} onUnauthorized={onUnauthorized} />}
        {route.page === "models" && <ModelsPage window={window} onUnauthorized={onUnauthorized} />}
        {route.page === "keys" && <KeysPage onUnauthorized={onUnauthorized} />}
        {route.page === "learning" && <LearningPage window={window} onUnauthorized={onUnauthorized} />}
        <p class="footnote">Updates every {Math.round(config.refreshIntervalMs / 1000)} s while this tab is visible.</p>
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
