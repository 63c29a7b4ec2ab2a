/** The HTTP conformance suite against the demo on workerd (wrangler dev). */
import { conformance } from "./suite.ts";

conformance("workers");
