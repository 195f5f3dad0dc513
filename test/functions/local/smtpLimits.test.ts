// Finding 7: what one SMTP intake holds is bounded, however many strangers connect: connections
// (421), deliveries in flight (451 at MAIL FROM), messages in the pipeline, and the bytes of a
// large body, which wait in an encrypted 0600 spool file rather than in memory.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Pipeline } from "../../../functions/core/pipeline";
import { createIntakeGate, IntakeBusyError, removeOrphanedSpool } from "../../../functions/local/intakeGate";
import { rfc822 } from "../../helpers/messages";
import { harness, holdingPipeline, JOURNAL, RawSmtp, until, type Harness } from "./smtpHarness";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const envelope = { from: "mta@example.com", to: [JOURNAL] };
/** Distinct bytes, so that nothing is mistaken for a duplicate. */
const large = (kib: number, tag: string) => rfc822({ messageId: `<${tag}@example.com>`, body: `${tag} `.padEnd(76, "x").concat("\r\n").repeat(Math.ceil((kib * 1024) / 78)) });

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

/** Wraps the pipeline to count how many messages are in it at once, each kept there 50 ms. */
function countingPipeline() {
  let inPipeline = 0;
  let most = 0;
  const wrap = (real: Pipeline): Pipeline => ({
    ingest: async (input, context) => {
      most = Math.max(most, ++inPipeline);
      await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        return await real.ingest(input, context);
      } finally {
        inPipeline--;
      }
    },
  });
  return { wrap, most: () => most };
}

describe("bounded connections and deliveries", () => {
  it("answers the connection after max clients with 421", async () => {
    const intake = await h.start({ maxClients: 2 });
    const first = await RawSmtp.open(intake.port);
    const second = await RawSmtp.open(intake.port);
    const third = await RawSmtp.open(intake.port);
    expect([first.greeting.code, second.greeting.code, third.greeting.code]).toEqual([220, 220, 421]);
    await until(() => third.client.isClosed);
    first.client.destroy();
    second.client.destroy();
  });

  it("defers a second concurrent delivery with 451 before its data, and takes it on retry", async () => {
    const hold = holdingPipeline();
    const intake = await h.start({ gate: { maxConcurrentTransfers: 1 }, pipeline: hold.wrap });
    const firstRaw = rfc822({ messageId: "<first@example.com>" });
    const secondRaw = rfc822({ messageId: "<second@example.com>" });
    const first = intake.transport().sendMail({ envelope, raw: firstRaw });
    await hold.entered;

    await expect(intake.transport().sendMail({ envelope, raw: secondRaw })).rejects.toMatchObject({ responseCode: 451, command: "MAIL FROM" });
    hold.release();
    expect((await first).response).toBe(`250 archived ${sha(firstRaw)}`);
    expect((await intake.transport().sendMail({ envelope, raw: secondRaw })).response).toBe(`250 archived ${sha(secondRaw)}`);
    expect(intake.gate.load).toEqual({ transfers: 0, ingests: 0, waitingForIngest: 0 });
  });

  it("lets only max ingests into the pipeline at once; the others wait their turn", async () => {
    const counting = countingPipeline();
    // Every message spooled: the ingest limit is for messages too large to hold in memory.
    const intake = await h.start({ gate: { maxConcurrentTransfers: 4, maxConcurrentIngests: 1, spoolThresholdBytes: 16 }, pipeline: counting.wrap });
    const sent = await Promise.all([1, 2, 3, 4].map((i) => intake.transport().sendMail({ envelope, raw: rfc822({ messageId: `<turn-${i}@example.com>` }) })));
    expect(sent.map((info) => info.response.split(" ")[1])).toEqual(["archived", "archived", "archived", "archived"]);
    expect(counting.most()).toBe(1);
  });

  it("lets messages held in memory into the pipeline together, beyond the limit for spooled ones, so they share the archive's syncs", async () => {
    const counting = countingPipeline();
    const intake = await h.start({ gate: { maxConcurrentTransfers: 4, maxConcurrentIngests: 1 }, pipeline: counting.wrap });
    const sent = await Promise.all([1, 2, 3, 4].map((i) => intake.transport().sendMail({ envelope, raw: rfc822({ messageId: `<together-${i}@example.com>` }) })));
    expect(sent.map((info) => info.response.split(" ")[1])).toEqual(["archived", "archived", "archived", "archived"]);
    expect(counting.most()).toBeGreaterThan(1);
  });

  it("answers 451 when a received message waits too long for the pipeline", async () => {
    const hold = holdingPipeline();
    const intake = await h.start({ gate: { maxConcurrentTransfers: 2, maxConcurrentIngests: 1, ingestWaitMs: 100, spoolThresholdBytes: 16 }, pipeline: hold.wrap });
    const first = intake.transport().sendMail({ envelope, raw: rfc822({ messageId: "<held@example.com>" }) });
    await hold.entered;
    await expect(intake.transport().sendMail({ envelope, raw: rfc822({ messageId: "<waited@example.com>" }) })).rejects.toMatchObject({ responseCode: 451, command: "DATA" });
    hold.release();
    await first;
  });
});

describe("the spool", () => {
  it("keeps a large body in a 0600 encrypted spool file during the delivery, removes it after, and archives the exact bytes", async () => {
    const raw = large(200, "spooled-body-marker");
    const seen: { files: string[]; mode: number; size: number; plaintext: boolean }[] = [];
    const intake = await h.start({
      gate: { spoolThresholdBytes: 4096 },
      pipeline: (real) => ({
        ingest: (input, context) => {
          const files = readdirSync(intake.spoolDir);
          const file = join(intake.spoolDir, files[0]);
          const stat = statSync(file);
          seen.push({ files, mode: stat.mode & 0o777, size: stat.size, plaintext: readFileSync(file).includes("spooled-body-marker") });
          return real.ingest(input, context);
        },
      }),
    });
    const info = await intake.transport().sendMail({ envelope, raw });
    expect(info.response).toBe(`250 archived ${sha(raw)}`);
    expect(seen).toEqual([{ files: [expect.stringMatching(/^[0-9a-f]{32}\.spool$/)], mode: 0o600, size: raw.length, plaintext: false }]);
    expect(statSync(intake.spoolDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(intake.spoolDir)).toEqual([]);
    const key = (await h.archive.store.keys("messages/")).find((k) => k.includes(sha(raw)))!;
    expect((await h.archive.store.get(key))!.equals(raw)).toBe(true);
  });

  it("keeps a small body in memory: no spool file", async () => {
    let spooled: string[] = [];
    const intake = await h.start({
      gate: { spoolThresholdBytes: 64 * 1024 },
      pipeline: (real) => ({
        ingest: (input, context) => {
          spooled = existsSync(intake.spoolDir) ? readdirSync(intake.spoolDir) : [];
          return real.ingest(input, context);
        },
      }),
    });
    await intake.transport().sendMail({ envelope, raw: rfc822() });
    expect(spooled).toEqual([]);
  });

  it("removes the spool file and frees the slot when the client leaves mid-message", async () => {
    const intake = await h.start({ gate: { spoolThresholdBytes: 1024, maxConcurrentTransfers: 1 } });
    const { client } = await RawSmtp.open(intake.port);
    await client.send("EHLO client.example.com");
    await client.startTls();
    await client.send("EHLO client.example.com");
    await client.send("MAIL FROM:<mta@example.com>");
    await client.send(`RCPT TO:<${JOURNAL}>`);
    expect((await client.send("DATA")).code).toBe(354);
    client.write(large(64, "abandoned"));
    await until(() => existsSync(intake.spoolDir) && readdirSync(intake.spoolDir).length === 1);
    client.destroy();

    await until(() => readdirSync(intake.spoolDir).length === 0 && intake.gate.load.transfers === 0);
    const info = await intake.transport().sendMail({ envelope, raw: rfc822({ messageId: "<after-abandon@example.com>" }) });
    expect(info.response).toMatch(/^250 archived /);
    expect(await h.archive.store.keys("messages/")).toHaveLength(1);
  });

  it("refuses a spool file altered during the delivery, and removes it", async () => {
    const spoolDir = join(h.dir, "spool");
    const gate = createIntakeGate({ spoolDir, spoolThresholdBytes: 16 });
    const transfer = gate.tryBeginTransfer()!;
    await transfer.write(Buffer.from("x".repeat(100)));
    const file = transfer.spoolFile!;
    const bytes = readFileSync(file);
    bytes[10] ^= 1;
    writeFileSync(file, bytes);
    await expect(transfer.ingest(async (b) => b)).rejects.toThrow(/altered/);
    expect(existsSync(file)).toBe(false);
    expect(gate.load.transfers).toBe(0);
  });

  it("says busy rather than queueing when every transfer slot is taken", async () => {
    const gate = createIntakeGate({ spoolDir: join(h.dir, "spool"), maxConcurrentTransfers: 2 });
    const a = gate.tryBeginTransfer()!;
    const b = gate.tryBeginTransfer()!;
    expect(gate.tryBeginTransfer()).toBeUndefined();
    await a.discard();
    await a.discard();
    expect(gate.load.transfers).toBe(1);
    expect(gate.tryBeginTransfer()).toBeDefined();
    await b.write(Buffer.from("bytes"));
    await expect(b.ingest(async (bytes) => bytes.toString())).resolves.toBe("bytes");
    await expect(b.write(Buffer.from("more"))).rejects.toThrow(/already ended/);
  });

  it("times out a wait for the pipeline with IntakeBusyError and frees the transfer", async () => {
    const gate = createIntakeGate({ spoolDir: join(h.dir, "spool"), maxConcurrentTransfers: 2, maxConcurrentIngests: 1, ingestWaitMs: 30, spoolThresholdBytes: 4 });
    let finish!: () => void;
    const firstTransfer = gate.tryBeginTransfer()!;
    await firstTransfer.write(Buffer.from("a spooled body"));
    const first = firstTransfer.ingest(() => new Promise<void>((resolve) => (finish = resolve)));
    const second = gate.tryBeginTransfer()!;
    await second.write(Buffer.from("another spooled body"));
    await expect(second.ingest(async () => "never")).rejects.toBeInstanceOf(IntakeBusyError);
    expect(gate.load).toEqual({ transfers: 1, ingests: 1, waitingForIngest: 0 });
    finish();
    await first;
    expect(gate.load).toEqual({ transfers: 0, ingests: 0, waitingForIngest: 0 });
  });

  it("removes orphaned spool files at start and leaves anything else", async () => {
    const spoolDir = join(h.dir, "spool");
    mkdirSync(spoolDir);
    writeFileSync(join(spoolDir, "0123456789abcdef0123456789abcdef.spool"), "left by a crash");
    writeFileSync(join(spoolDir, "README"), "not ours");
    expect(await removeOrphanedSpool(spoolDir)).toBe(1);
    expect(readdirSync(spoolDir)).toEqual(["README"]);
    expect(await removeOrphanedSpool(join(h.dir, "no-such-folder"))).toBe(0);
  });
});
