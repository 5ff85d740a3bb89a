// Writes peers/peering.schema.json from the zod schema (run after `npm run build`).
import { writeFileSync } from "node:fs";
import { peeringJsonSchema } from "../dist/core/peering.js";

const target = new URL("../peers/peering.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(peeringJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
