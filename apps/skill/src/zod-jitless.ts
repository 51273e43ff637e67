import { config } from "zod";

// Side-effect module, imported first by the bin: zod decides per schema, when it is
// constructed, whether to generate a `new Function` fast path. One short-lived process
// parses a handful of frames, so generated parsers never pay off (same as apps/cli).
config({ jitless: true });
