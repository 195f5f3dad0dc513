// The source the program uploads for the Cloud Functions, run the way the platform runs it: the
// Functions Framework (which Cloud Functions installs from the package.json) serving the bundle,
// here against the Cloud Storage stand-in. A message posted to it is archived byte for byte.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FRAMEWORK, functionSource, SOURCE_PACKAGE } from "../../../infra/gcp/functionSource";
import { ENTRY_POINTS } from "../../../infra/gcp/ingest";
import { startFakeGcs, type FakeGcs } from "../../helpers/fakeGcs";

let dir: string;
let fake: FakeGcs;
let server: ChildProcess;
let url: string;
let source: ReturnType<typeof functionSource>;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** The archive's files as Pulumi will upload them (StringAssets, read back synchronously). */
async function writeArchive(archive: pulumi.asset.AssetArchive, into: string) {
  const assets = (await archive.assets) as Record<string, pulumi.asset.StringAsset>;
  for (const [name, asset] of Object.entries(assets)) writeFileSync(join(into, name), (await asset.text) as string);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-gcf-source-"));
  source = functionSource();
  await writeArchive(source.archive, dir);
  fake = await startFakeGcs();
  fake.createBucket("archive-bucket");
  fake.createBucket("inbox-bucket");
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  const framework = join(process.cwd(), "node_modules", FRAMEWORK.name, "build", "src", "main.js");
  server = spawn(process.execPath, [framework, "--target", ENTRY_POINTS.http, "--source", dir, "--port", String(port)], {
    // The framework the platform installs resolves from node_modules, as it would beside the bundle.
    env: { PATH: process.env.PATH, NODE_PATH: join(process.cwd(), "node_modules"), ARCHIVE_BUCKET: "archive-bucket", INBOX_BUCKET: "inbox-bucket", RETENTION_DAYS: "2557", MAX_MESSAGE_BYTES: "41943040", STORAGE_API_ENDPOINT: fake.endpoint },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  server.stdout!.on("data", (chunk) => (output += chunk));
  server.stderr!.on("data", (chunk) => (output += chunk));
  for (let i = 0; i < 100; i++) {
    if (await fetch(url, { method: "GET" }).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Functions Framework did not start serving the bundle:\n${output}`);
});

afterAll(async () => {
  server?.kill();
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("names the Functions Framework as the one dependency, and a content-addressed object name", () => {
  expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toEqual(SOURCE_PACKAGE);
  expect(SOURCE_PACKAGE.dependencies).toEqual({ [FRAMEWORK.name]: FRAMEWORK.version });
  expect(source.objectName).toMatch(/^ingestor-[0-9a-f]{16}\.zip$/);
});

it("serves the HTTP intake from the bundle and archives a posted message byte for byte", async () => {
  const raw = readFileSync(join(__dirname, "..", "..", "fixtures", "plain", "simple-crlf.eml"));
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const response = await fetch(url, { method: "POST", body: raw, headers: { "content-type": "message/rfc822" } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { sha256: string; key: string; status: string };
  expect(body).toMatchObject({ sha256, status: "archived" });
  expect(fake.object("archive-bucket", body.key)!.bytes.equals(raw)).toBe(true);
});
