/** The HTTP conformance suite against the demo on Deno. */
import { conformance } from "./suite.ts";

conformance("deno");
