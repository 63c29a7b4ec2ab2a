/** The HTTP conformance suite against the demo on Node. */
import { conformance } from "./suite.ts";

conformance("node");
