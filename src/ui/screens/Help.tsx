// Help: for the screen it was opened from, what that screen is for and every key it takes.
import { Box, Text } from "ink";
import { ScreenFrame } from "../components/ScreenFrame.js";
import { useCommands } from "../hooks/use-commands.js";
import { COMMANDS, commandsFor, hintKeys } from "../keymap.js";
import { SCREEN_INFO, type ScreenId } from "./catalog.js";

const KEYS_WIDTH = 14;

export function Help({ about, focused }: { about: ScreenId; focused: boolean }) {
  useCommands("help", {}, focused);
  const info = SCREEN_INFO[about];
  return (
    <ScreenFrame title={`${SCREEN_INFO.help.title}: ${info.title}`} scope="help" focused={focused}>
      <Text>{info.about}</Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold underline>
          Keys
        </Text>
        {commandsFor(about).map((command) => (
          <Box key={command}>
            <Box width={KEYS_WIDTH} flexShrink={0}>
              <Text bold wrap="truncate-end">{`  ${hintKeys(command, { all: true })}`}</Text>
            </Box>
            <Text wrap="truncate-end">{COMMANDS[command].label}</Text>
          </Box>
        ))}
      </Box>
    </ScreenFrame>
  );
}
