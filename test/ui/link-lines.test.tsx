// A link's lines in the monitor before and after the router's first look: before it, nothing is
// known either way and the line says it is reading (it said "? unknown session ?", which read as a
// broken tunnel); after it, a tunnel the router does not hold is "unknown".
import { cleanup, render } from "ink-testing-library";
import { afterEach, expect, test } from "vitest";
import { LinkLines } from "../../src/ui/screens/monitor/LinkLines.js";
import { example } from "../helpers.js";
import { plain } from "./helpers.js";

afterEach(() => cleanup());

function lines(reading: boolean | undefined): string {
  const peering = example("s1");
  const link = peering.links[0]!;
  const me = Object.keys(peering.sides)[0]!;
  const { lastFrame } = render(
    <LinkLines peering={peering} link={link} me={me} selected={false} tunnel={undefined} session={undefined} rate={undefined} localPref={null} width={80} reading={reading} />,
  );
  return plain(lastFrame() ?? "");
}

test("before the first look: reading the router, no unknown badge", () => {
  const frame = lines(true);
  expect(frame).toContain("reading the router…");
  expect(frame).not.toContain("unknown");
  expect(frame).not.toContain("session ?");
});

test("after the first look, a tunnel the router does not hold is unknown", () => {
  const frame = lines(false);
  expect(frame).toContain("? unknown");
  expect(frame).toContain("session ?");
  expect(frame).not.toContain("reading");
});
