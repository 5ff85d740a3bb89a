// The monitor's event log: the newest lines that fit, under their heading.
import { Text } from "ink";

export function EventLog({ events, rows }: { events: readonly string[]; rows: number }) {
  return (
    <>
      <Text bold underline>
        Events
      </Text>
      {events.slice(-rows).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </>
  );
}
