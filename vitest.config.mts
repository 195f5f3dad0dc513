import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime state is global: every test file runs in its own forked process.
    pool: "forks",
    isolate: true,
    // One file per core (vitest's default leaves one idle): many files wait on fsync, child
    // processes or sockets, and on a 2-core machine one worker would run the suite serially.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
