// Stands in for a screen whose flow is not built yet, so navigation can be wired and tested now.
import { Text } from "ink";
import { ScreenFrame } from "../components/ScreenFrame.js";
import { useCommands } from "../hooks/use-commands.js";
import { SCREEN_INFO, type Screen } from "./catalog.js";

type PlaceholderId = "router" | "monitor";

export function Placeholder({ screen, focused }: { screen: Screen & { id: PlaceholderId }; focused: boolean }) {
  useCommands(screen.id, {}, focused);
  const info = SCREEN_INFO[screen.id];
  return (
    <ScreenFrame title={screen.subject ? `${info.title}: ${screen.subject}` : info.title} scope={screen.id} focused={focused}>
      <Text>{info.about}</Text>
      <Text> </Text>
      <Text>This screen is not built yet.</Text>
    </ScreenFrame>
  );
}
