import { describe, expect, it } from "vitest";
import { logRetentionDays } from "../../../infra/aws/logging";

describe("logRetentionDays", () => {
  it("picks the shortest retention CloudWatch allows that covers the archive's", () => {
    expect(logRetentionDays(2557)).toBe(2557);
    expect(logRetentionDays(2200)).toBe(2557);
    expect(logRetentionDays(10)).toBe(14);
    expect(logRetentionDays(5000)).toBe(3653);
  });
});
