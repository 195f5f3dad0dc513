// The packages the function bundles replace with Node's own (functions/shims, infra/bundle.ts) must
// decode what the originals decode, and the bundled pipeline must still read Japanese mail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import encodingJapanese from "encoding-japanese";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFunction } from "../../infra/bundle";
import { convert } from "../../functions/shims/encodingJapanese";
import { URL as ShimUrl } from "../../functions/shims/whatwgUrl";

const SUBJECT = "会議の議事録 (第3四半期)";
const encoded = (to: string) => Buffer.from(encodingJapanese.convert(encodingJapanese.stringToCode(SUBJECT), { to, from: "UNICODE" }) as number[]);

describe("the encoding-japanese shim", () => {
  it.each([
    ["ISO-2022-JP", "JIS"],
    ["iso2022jp", "JIS"],
    ["JIS", "JIS"],
    ["EUC-JP", "EUCJP"],
    ["eucjp", "EUCJP"],
  ])("decodes %s as encoding-japanese does", (charset, encoding) => {
    const bytes = encoded(encoding);
    const original = encodingJapanese.convert(bytes, { to: "UNICODE", from: charset === "JIS" ? "JIS" : encoding, type: "string" });
    expect(convert(bytes, { to: "UNICODE", from: charset, type: "string" })).toBe(original);
    expect(original).toBe(SUBJECT);
  });
});

describe("the whatwg-url shim", () => {
  it("is Node's own URL, which node-fetch prefers anyway", () => {
    expect(new ShimUrl("https://storage.googleapis.com/upload/storage/v1/b/x/o?uploadType=multipart").searchParams.get("uploadType")).toBe("multipart");
    expect(ShimUrl).toBe(globalThis.URL);
  });
});

describe("the bundled pipeline", () => {
  const dir = mkdtempSync(join(tmpdir(), "journal-shim-bundle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an ISO-2022-JP subject and leaves the original packages out of the bundle", async () => {
    const bundle = bundleFunction("core/mime.ts", "node20");
    const inputs = Object.keys(Object.values(bundle.metafile.outputs)[0].inputs);
    expect(inputs.some((path) => path.includes("node_modules/encoding-japanese/"))).toBe(false);
    const file = join(dir, "mime.js");
    writeFileSync(file, bundle.code);
    const { scanMessage } = require(file) as typeof import("../../functions/core/mime");
    const word = `=?ISO-2022-JP?B?${encoded("JIS").toString("base64")}?=`;
    const scan = await scanMessage(Buffer.from(`From: a@example.com\r\nSubject: ${word}\r\n\r\nbody\r\n`), []);
    expect(scan.headers.first("subject")).toBe(SUBJECT);
  });
});
