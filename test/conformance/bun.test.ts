/** The HTTP conformance suite against the demo on Bun. */
import { conformance } from "./suite.ts";

conformance("bun");
