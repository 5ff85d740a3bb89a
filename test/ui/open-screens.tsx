// The app's screens on a lab, for tests: render, read the frame, press keys and wait for the screen.
import { render } from "ink-testing-library";
import { App } from "../../src/ui/App.js";
import type { Services } from "../../src/ui/services.js";
import { effectsSettled, plain, waitFor } from "./helpers.js";

export function openScreens(services: Services, size: { columns: number; rows: number }) {
  const home = services.loadHome();
  const app = render(<App routers={home.routers} friends={home.friends} services={services} size={size} />);
  const frame = () => plain(app.lastFrame());
  const shows = async (want: string | RegExp, timeoutMs = 8000) => {
    await waitFor(() => (typeof want === "string" ? frame().includes(want) : want.test(frame())), frame, timeoutMs);
    return frame();
  };
  const press = async (key: string, want: string | RegExp, timeoutMs?: number) => {
    await effectsSettled();
    app.stdin.write(key);
    return shows(want, timeoutMs);
  };
  /** Types and waits for the field to show it (`shown`: what a masked field draws instead). */
  const type = async (text: string, shown = text.slice(-30)) => {
    await effectsSettled();
    app.stdin.write(text);
    await waitFor(() => frame().includes(shown), frame);
  };
  return { app, frame, shows, press, type };
}
