// The one way errors are shown. Expected errors: the message and what to do, nothing more.
// Bugs: say so, and keep the top of the stack for the report.
import { Box, Text } from "ink";
import { describeError } from "../../errors.js";
import { useTheme } from "../theme.js";

export interface ErrorViewProps {
  /** An expected error ({ message, hint? } or a UserError), a bug (any other Error), or a report. */
  error: unknown;
  /** How many stack frames a bug shows; the rest are counted. */
  stackLines?: number;
}

export function ErrorView({ error, stackLines = 4 }: ErrorViewProps) {
  const theme = useTheme();
  const report = describeError(error);
  if (report.kind === "expected") {
    return (
      <Box flexDirection="column">
        <Text color={theme.bad} bold>
          ✗ {report.message}
        </Text>
        {report.hint ? <Text>→ {report.hint}</Text> : null}
      </Box>
    );
  }
  const shown = report.stack.slice(0, stackLines);
  const hidden = report.stack.length - shown.length;
  return (
    <Box flexDirection="column">
      <Text color={theme.bad} bold>
        ✗ this is a bug in bgpals: {report.message}
      </Text>
      <Text>Please report it with the lines below.</Text>
      {shown.map((frame, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {"  "}
          {frame}
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor>{`  … ${hidden} more`}</Text> : null}
    </Box>
  );
}
