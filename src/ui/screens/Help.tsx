// Help: for the screen it was opened from, what that screen is for and every key it takes.
import { Box, Text } from "ink";
import { bodyRows, ScreenFrame } from "../components/ScreenFrame.js";
import { linesOf, Prose } from "../components/WizardFrame.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { useCommands } from "../hooks/use-commands.js";
import { KeyList } from "../components/KeyList.js";
import { SCREEN_INFO, type ScreenId } from "./catalog.js";


export function Help({ about, focused }: { about: ScreenId; focused: boolean }) {
  useCommands("help", {}, focused);
  const size = useTerminalSize();
  const info = SCREEN_INFO[about];
  // The keys get what the paragraph and the heading leave.
  const rows = bodyRows(size, "help") - linesOf(info.about, size.columns) - 2;
  return (
    <ScreenFrame title={`${SCREEN_INFO.help.title}: ${info.title}`} scope="help" focused={focused}>
      <Prose text={info.about} columns={size.columns} />
      <Box marginTop={1} flexDirection="column">
        <Text bold underline>
          Keys
        </Text>
        <KeyList scope={about} rows={rows} width={size.columns} />
      </Box>
    </ScreenFrame>
  );
}
