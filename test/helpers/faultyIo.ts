// The local archive's file layer with faults on demand: every operation is recorded with the
// file it touches, and a rule decides whether it runs, writes short, or fails (ENOSPC, EIO,
// or a "crash" after which nothing more reaches the disk, as after kill -9).
import { basename } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { realFileIo, type FileIo } from "../../functions/local/fileIo";

export type OpKind = "open" | "write" | "datasync" | "truncate" | "link" | "rename" | "unlink" | "syncFolder";

export interface Op {
  readonly kind: OpKind;
  /** The file or folder the operation touches (the link or rename target for those). */
  readonly path: string;
}

/** What to do with an operation: run it, write only some bytes, or fail with an errno. */
export type Verdict = "run" | { short: number } | { fail: "ENOSPC" | "EIO" };

const errno = (code: string, op: Op) => Object.assign(new Error(`${code}: injected on ${op.kind} ${basename(op.path)}`), { code });

export class FaultyIo implements FileIo {
  readonly ops: Op[] = [];
  private readonly paths = new WeakMap<FileHandle, string>();
  /** Set by crashAt(): once reached, every operation fails and nothing more reaches the disk. */
  private crashPoint?: number;

  constructor(public rule: (op: Op, index: number) => Verdict = () => "run") {}

  /** Simulates a kill at operation `n` (1-based): it and everything after it never happen. */
  crashAt(n: number): this {
    this.crashPoint = n;
    return this;
  }

  get crashed(): boolean {
    return this.crashPoint !== undefined && this.ops.length >= this.crashPoint;
  }

  private decide(op: Op): Verdict {
    this.ops.push(op);
    if (this.crashPoint !== undefined && this.ops.length >= this.crashPoint) return { fail: "EIO" };
    return this.rule(op, this.ops.length);
  }

  private gate(op: Op): void {
    const verdict = this.decide(op);
    if (typeof verdict === "object" && "fail" in verdict) throw errno(verdict.fail, op);
  }

  async open(path: string, flags: string | number, mode?: number): Promise<FileHandle> {
    this.gate({ kind: "open", path });
    const file = await realFileIo.open(path, flags, mode);
    this.paths.set(file, path);
    return file;
  }

  async write(file: FileHandle, data: Buffer, position: number | null): Promise<number> {
    const op: Op = { kind: "write", path: this.paths.get(file) ?? "?" };
    const verdict = this.decide(op);
    if (verdict === "run") return realFileIo.write(file, data, position);
    if ("fail" in verdict) throw errno(verdict.fail, op);
    return verdict.short > 0 ? realFileIo.write(file, data.subarray(0, Math.min(verdict.short, data.length)), position) : 0;
  }

  async datasync(file: FileHandle): Promise<void> {
    this.gate({ kind: "datasync", path: this.paths.get(file) ?? "?" });
    return realFileIo.datasync(file);
  }

  async truncate(file: FileHandle, length: number): Promise<void> {
    this.gate({ kind: "truncate", path: this.paths.get(file) ?? "?" });
    return realFileIo.truncate(file, length);
  }

  async link(existing: string, path: string): Promise<void> {
    this.gate({ kind: "link", path });
    return realFileIo.link(existing, path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.gate({ kind: "rename", path: to });
    return realFileIo.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    this.gate({ kind: "unlink", path });
    return realFileIo.unlink(path);
  }

  async syncFolder(path: string): Promise<void> {
    this.gate({ kind: "syncFolder", path });
    return realFileIo.syncFolder(path);
  }
}
