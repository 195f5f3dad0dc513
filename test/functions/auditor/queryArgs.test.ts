// The search filters as an auditor types them, turned into the query every engine answers: whole
// days, an inclusive --until, addresses and ids in any case, and each bad value refused by name.
import { describe, expect, it } from "vitest";
import { queryFromValues } from "../../../functions/auditor/cli/search";
import { describeQuery, prefixesFor } from "../../../functions/auditor/query";

const parse = (values: Parameters<typeof queryFromValues>[0]) => queryFromValues(values, "usage");

describe("search filters", () => {
  it("takes whole days with --until inclusive, an ISO instant with --until exclusive, and --date as one day", () => {
    expect(parse({ since: "2026-11-01", until: "2026-11-20" })).toMatchObject({ since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-21T00:00:00Z") });
    expect(parse({ since: "2026-11-01T09:30:00+01:00", until: "2026-11-01T10:00:00Z" })).toMatchObject({ since: new Date("2026-11-01T08:30:00Z"), until: new Date("2026-11-01T10:00:00Z") });
    expect(parse({ date: "2026-02-28" })).toMatchObject({ since: new Date("2026-02-28T00:00:00Z"), until: new Date("2026-03-01T00:00:00Z") });
  });

  it("compares addresses, domains, Message-IDs and attachment names in one case, and subject words as words", () => {
    expect(parse({ from: " Alice@Example.COM", domain: "@Mail.Example.com.", "message-id": "<Q3-Figures@Example.com>", attachment: "Figures Q3.XLSX", subject: "Bond-allocation, FRIDAY!" })).toMatchObject({
      from: "alice@example.com",
      domain: "mail.example.com",
      messageId: "q3-figures@example.com",
      attachmentName: "figures q3.xlsx",
      words: ["bond", "allocation", "friday"],
    });
  });

  it("refuses each bad value, naming the option and what is allowed", () => {
    const refusals: Array<[Parameters<typeof queryFromValues>[0], RegExp]> = [
      [{ to: "bob" }, /--to must be one email address/],
      [{ since: "24/11/2026" }, /--since must be a date YYYY-MM-DD or an ISO instant/],
      [{ since: "2026-11-20", until: "2026-11-01" }, /--until must be after --since/],
      [{ date: "2026-11-20", since: "2026-11-01" }, /give --date, or --since\/--until, not both/],
      [{ domain: "exa mple.com" }, /--domain must be a domain like example.com/],
      [{ subject: "!!!" }, /--subject must hold at least one word/],
      [{ correlation: "abc" }, /--correlation must be 64 hex characters/],
      [{ source: "fax" }, /--source must be one of smtp, http, ses, s3-drop, blob-drop, gcs-drop, file/],
      [{ "min-size": "-1" }, /--min-size must be a whole number/],
      [{ reason: "x" }, /--reason applies only with --quarantined/],
    ];
    for (const [values, message] of refusals) expect(() => parse(values), JSON.stringify(values)).toThrow(message);
  });

  it("names the query the same way in the trail and the custody record", () => {
    expect(describeQuery(parse({ from: "alice@example.com", subject: "bond friday", since: "2026-11-01" }))).toBe('from=alice@example.com since=2026-11-01T00:00:00.000Z subject="bond friday"');
    expect(describeQuery(parse({ quarantined: true }))).toBe("quarantined");
  });
});

describe("what a scan lists for a date range", () => {
  it("lists whole years and months where the range covers them, days at the edges", () => {
    expect(prefixesFor({ area: "messages", since: new Date("2025-12-30T00:00:00Z"), until: new Date("2027-02-03T00:00:00Z") })).toEqual([
      "meta/2025/12/30/",
      "meta/2025/12/31/",
      "meta/2026/",
      "meta/2027/01/",
      "meta/2027/02/01/",
      "meta/2027/02/02/",
    ]);
    expect(prefixesFor({ area: "quarantine" })).toEqual(["quarantine/"]);
  });
});
