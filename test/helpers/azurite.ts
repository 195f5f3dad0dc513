// Azurite, the Azure Storage emulator, started from node_modules on a free port and stopped after.
// It speaks the real Blob REST API (conditional Put Blob, 409 BlobAlreadyExists, metadata), but it
// does not implement immutability policies or legal holds: tests that depend on those say so.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";

/** Azurite's documented development account; it is public and works against nothing but the emulator. */
export const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  /** The account's blob endpoint, `http://127.0.0.1:<port>/devstoreaccount1/`. */
  readonly blobEndpoint: string;
  /** A client for `container` in the emulator's account, created if missing. */
  container(name: string): Promise<ContainerClient>;
  /** A client for `container` with the emulator's credential, at another endpoint (a proxy in front of the emulator). */
  clientAt(blobEndpoint: string, container: string): ContainerClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const main = join(dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
  const location = mkdtempSync(join(tmpdir(), "journal-azurite-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [main, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", location, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code} before listening:\n${output}`));
    });
  });
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}/`;
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  return {
    blobEndpoint,
    async container(name) {
      const client = new ContainerClient(`${blobEndpoint}${name}`, credential);
      await client.createIfNotExists();
      return client;
    },
    clientAt(endpoint, name) {
      return new ContainerClient(`${endpoint.replace(/\/?$/, "/")}${name}`, credential);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(location, { recursive: true, force: true });
    },
  };
}
