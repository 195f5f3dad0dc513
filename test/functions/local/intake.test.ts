import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../functions/core/log";
import { createPipeline, type Pipeline } from "../../../functions/core/pipeline";
import type { MessageMetadata } from "../../../functions/core/types";
import { openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { startHttpIntake } from "../../../functions/local/http";
import { verifyArchive } from "../../../functions/local/verify";
import { startSmtpIntake, type RunningServer } from "../../../functions/local/smtp";
import { loadOrCreateCertificate } from "../../../functions/local/tls";
import { rfc822 } from "../../helpers/messages";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const TOKEN = "test-token-0123456789abcdef";
const LIMIT = 64 * 1024;
const run = promisify(execFile);

let dir: string;
let archive: LocalArchive;
let pipeline: Pipeline;
let servers: RunningServer[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-intake-"));
  archive = await openLocalArchive({ dir });
  pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30, maxMessageBytes: LIMIT });
  servers = [];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

async function smtp(ingest: Pipeline = pipeline) {
  const tls = await loadOrCreateCertificate(dir);
  // The intake takes only its journal addresses: these tests deliver to bob's and a Bcc-only one.
  const access = { requireTls: true, allow: [], journalAddresses: ["bob@example.org", "bcc-only@example.org"] };
  const server = await startSmtpIntake({ pipeline: ingest, port: 0, host: "127.0.0.1", maxMessageBytes: LIMIT, tls, logger: silentLogger, access });
  servers.push(server);
  // requireTLS: the client refuses to send unless the STARTTLS upgrade happened.
  return nodemailer.createTransport({ host: "127.0.0.1", port: server.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
}

async function http() {
  const server = await startHttpIntake({ pipeline, archive, port: 0, host: "127.0.0.1", token: TOKEN, maxMessageBytes: LIMIT, logger: silentLogger });
  servers.push(server);
  return (path: string, init: RequestInit = {}, token = TOKEN) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
}

async function metaFor(sha256: string): Promise<MessageMetadata> {
  const key = (await archive.store.keys("meta/")).find((k) => k.includes(sha256))!;
  return JSON.parse((await archive.store.get(key))!.toString("utf8")) as MessageMetadata;
}

describe("SMTP intake", () => {
  it("archives a message sent over STARTTLS byte for byte, with the SMTP envelope as recipients", async () => {
    const raw = rfc822({ messageId: "<smtp-e2e@example.com>", body: "Over TLS.\r\n" });
    const transport = await smtp();
    const info = await transport.sendMail({ envelope: { from: "mta@example.com", to: ["bob@example.org", "bcc-only@example.org"] }, raw });
    const [status, sha256] = info.response.replace(/^250\s+/, "").split(" ");
    expect(status).toBe("archived");
    expect(sha256).toBe(sha(raw));
    const key = (await archive.store.keys("messages/")).find((k) => k.includes(sha256))!;
    expect((await archive.store.get(key))!.equals(raw)).toBe(true);
    const meta = await metaFor(sha256);
    expect(meta.source).toBe("smtp");
    expect(meta.envelope).toMatchObject({ sender: "mta@example.com", recipients: [{ address: "bob@example.org" }, { address: "bcc-only@example.org" }] });
  });

  it("keeps the self-signed certificate across restarts", async () => {
    const first = await loadOrCreateCertificate(dir);
    const second = await loadOrCreateCertificate(dir);
    expect(first.selfSigned).toBe(true);
    expect(second.cert.equals(first.cert)).toBe(true);
  });

  it("refuses a message over the announced SIZE with 552 and stores nothing", async () => {
    const transport = await smtp();
    const raw = rfc822({ body: "z".repeat(LIMIT + 10) });
    await expect(transport.sendMail({ envelope: { from: "mta@example.com", to: ["bob@example.org"] }, raw })).rejects.toMatchObject({ responseCode: 552 });
    expect(await archive.store.keys()).toEqual([]);
  });

  it("answers 451 when the archive cannot store, so the sender keeps the message and retries", async () => {
    const failing: Pipeline = { ingest: () => Promise.reject(new Error("disk full")) };
    const transport = await smtp(failing);
    await expect(transport.sendMail({ envelope: { from: "mta@example.com", to: ["bob@example.org"] }, raw: rfc822() })).rejects.toMatchObject({ responseCode: 451 });
  });
});

describe("every read path finds what any intake took", () => {
  it("serves over HTTP, at once, a message the SMTP intake acknowledged", async () => {
    const transport = await smtp();
    const call = await http();
    const raw = rfc822({ messageId: "<smtp-then-http@example.com>" });
    const info = await transport.sendMail({ envelope: { from: "mta@example.com", to: ["bob@example.org"] }, raw });
    const sha256 = info.response.replace(/^250\s+/, "").split(" ")[1];
    const read = await call(`/messages/${sha256}`);
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(raw)).toBe(true);
  });
});

describe("HTTP intake and read API", () => {
  it("ingests, recognises a duplicate, and reads back the exact bytes as an audited read", async () => {
    const call = await http();
    const raw = rfc822({ messageId: "<http-e2e@example.com>" });
    const first = await call("/ingest", { method: "POST", body: raw });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { sha256: string; key: string; status: string };
    expect(body).toEqual({ sha256: sha(raw), key: expect.stringMatching(/^messages\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{64}\.eml$/), status: "archived" });
    expect(await (await call("/ingest", { method: "POST", body: raw })).json()).toMatchObject({ status: "duplicate" });

    const read = await call(`/messages/${sha(raw)}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("message/rfc822");
    expect(Buffer.from(await read.arrayBuffer()).equals(raw)).toBe(true);
    const audit = readFileSync(join(dir, "audit", "audit.log"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(audit.map((line) => line.action)).toEqual(["ingested", "duplicate", "read"]);
    expect(audit[2]).toMatchObject({ actor: "http:bearer", sha256: sha(raw) });
  });

  it("answers quarantined input with its reason, and serves it back", async () => {
    const call = await http();
    const junk = Buffer.from("not a mail message at all\n");
    expect(await (await call("/ingest", { method: "POST", body: junk })).json()).toMatchObject({ status: "quarantined", reason: expect.stringMatching(/not an email/) });
    expect(Buffer.from(await (await call(`/messages/${sha(junk)}`)).arrayBuffer()).equals(junk)).toBe(true);
  });

  it("guards every route but the liveness probe with the bearer token; the probe reveals nothing", async () => {
    const call = await http();
    for (const [path, method] of [["/ingest", "POST"], ["/messages/" + "a".repeat(64), "GET"]]) {
      expect((await call(path, { method }, "wrong-token")).status).toBe(401);
    }
    const anonymous = await fetch(`http://127.0.0.1:${servers[0].port}/messages/${"a".repeat(64)}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: "missing or wrong bearer token: send `Authorization: Bearer <JOURNAL_TOKEN>`" });
    const health = await fetch(`http://127.0.0.1:${servers[0].port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(await archive.store.keys()).toEqual([]);
  });

  it("explains a bad id (400), an unknown message (404), a wrong method (405) and an oversize body (413)", async () => {
    const call = await http();
    expect(await (await call("/messages/ABC")).json()).toEqual({ error: 'message id must be a SHA-256 digest: 64 lower-case hex characters, got "ABC"' });
    const missing = await call(`/messages/${"b".repeat(64)}`);
    expect(missing.status).toBe(404);
    expect((await call("/ingest")).status).toBe(405);
    const big = await call("/ingest", { method: "POST", body: Buffer.alloc(LIMIT + 1, 65) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: `message body is over the ${LIMIT}-byte limit (JOURNAL_MAX_BYTES)` });
    expect(await archive.store.keys()).toEqual([]);
  });
});

describe("the journal CLI", () => {
  const cli = (args: string[]) =>
    run(process.execPath, ["--import", "tsx", join(__dirname, "..", "..", "..", "functions", "local", "cli.ts"), ...args], { env: { ...process.env, JOURNAL_DIR: dir } }).then(
      (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  it("verifies an intact archive, then names the tampered record and exits 1", async () => {
    const a = await pipeline.ingest(rfc822({ messageId: "<cli-a@example.com>", to: "carol@example.org" }), { source: "file" });
    await pipeline.ingest(rfc822({ messageId: "<cli-b@example.com>", to: "dave@example.org" }), { source: "file" });
    const intact = await cli(["verify"]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^archive intact: 4 objects, 2 audit lines, head 2:[0-9a-f]{64}\n$/);

    const listed = await cli(["list", "--json", "--to", "carol@example.org"]);
    expect(JSON.parse(listed.stdout).map((m: MessageMetadata) => m.messageId)).toEqual(["<cli-a@example.com>"]);

    const file = join(dir, "objects", ...a.key.split("/"));
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 1;
    writeFileSync(file, bytes);
    const verdict = await cli(["verify"]);
    expect(verdict.code).toBe(1);
    expect(verdict.stderr).toContain(`first bad record ${a.key}`);
  });

  it("exports through the running archive's writer, and on its own when none runs; each export audited once", async () => {
    const raw = rfc822({ messageId: "<cli-export@example.com>" });
    await pipeline.ingest(raw, { source: "file" });
    // The archive is open in this process: the CLI asks it to write the audit line.
    const first = join(dir, "first.eml");
    const exported = await cli(["export", sha(raw), "--out", first]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(first).equals(raw)).toBe(true);
    await archive.close();
    // Nobody holds the archive now: the CLI takes the lock for its one line.
    const second = join(dir, "second.eml");
    const again = await cli(["export", sha(raw), "--out", second]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(second).equals(raw)).toBe(true);
    archive = await openLocalArchive({ dir });
    const lines = readFileSync(join(dir, "audit", "audit.log"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.action === "exported").map((line) => line.sha256)).toEqual([sha(raw), sha(raw)]);
    expect((await verifyArchive(archive)).ok).toBe(true);
  });

  it("exits 2 with the usage on an unknown command or a bad argument", async () => {
    for (const args of [["frobnicate"], ["list", "--date", "yesterday"], ["export", "nope"]]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("usage: npm run journal -- <command>");
    }
  });
});
