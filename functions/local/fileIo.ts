// The few file operations the local archive's durability rests on, behind one seam so that
// tests can inject short writes, a full disk (ENOSPC) or I/O errors (EIO) at any of them.
// Everything else in the archive goes through these; nothing here retries an error.
import { constants } from "node:fs";
import { open, link, rename, unlink, type FileHandle } from "node:fs/promises";

export interface FileIo {
  open(path: string, flags: string | number, mode?: number): Promise<FileHandle>;
  /** One write(2): may write fewer bytes than asked, as a nearly full disk does. */
  write(file: FileHandle, data: Buffer, position: number | null): Promise<number>;
  datasync(file: FileHandle): Promise<void>;
  truncate(file: FileHandle, length: number): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of a folder, so that the names created, linked or renamed in it survive a crash. */
  syncFolder(path: string): Promise<void>;
}

export const realFileIo: FileIo = {
  open: (path, flags, mode) => open(path, flags, mode),
  write: async (file, data, position) => (await file.write(data, 0, data.length, position)).bytesWritten,
  datasync: (file) => file.datasync(),
  truncate: (file, length) => file.truncate(length),
  link,
  rename,
  unlink,
  async syncFolder(path) {
    const folder = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  },
};

/**
 * Writes every byte of `data`, looping over short writes. A write that makes no progress is a
 * full disk: it fails with ENOSPC rather than loop for ever. `position` null appends.
 */
export async function writeAll(io: FileIo, file: FileHandle, data: Buffer, position: number | null = null): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const written = await io.write(file, data.subarray(done), position === null ? null : position + done);
    if (written <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write made no progress"), { code: "ENOSPC" });
    done += written;
  }
}
