// Reads what a journal report wrapped in TNEF (application/ms-tnef, "winmail.dat") carries: its
// text body (the envelope) and its attachments (the original, as RFC 822 bytes or as an
// embedded MAPI message). Only what the archive reads; every length is checked against the
// buffer, so damaged input ends the reading, never throws past it or loops.
//
// Format: [MS-OXTNEF] "Transport Neutral Encapsulation Format (TNEF) Data Algorithm", 2.1.3
// "Processing Rules", and MAPI "TNEF Stream Structure" / "attMAPIProps" (Outlook 2013 MAPI
// reference): a 32-bit signature 0x223E9F78 and a 16-bit key, then attributes, each
//   level (1 byte: 1 message, 2 attachment), id (4: type << 16 | id), length (4), data, checksum (2)
// all little-endian. Message attributes come first; each attachment's begin with attAttachRendData.
// attMsgProps and attAttachment hold counted MAPI property lists: count (4), then per property
// its tag (4; a named property, id >= 0x8000, is followed by a GUID, a kind and an id or name),
// then for variable types (string, binary, object) and multi-valued ones a value count (4) and
// per value a size (4) and the data, padded to 4 bytes; fixed types are their bytes, padded to 4.
// A PT_OBJECT value starts with the interface id; IID_IMessage means an embedded TNEF stream.

export const TNEF_SIGNATURE = 0x223e9f78;

const LEVEL_ATTACHMENT = 0x02;
/** Attribute ids (the tag's low 16 bits are the id, the high 16 the attribute type). */
const ATT = { body: 0x800c, attachRendData: 0x9002, attachData: 0x800f, attachTitle: 0x8010, msgProps: 0x9003, attachment: 0x9005, oemCodepage: 0x9007 } as const;
/** MAPI property ids and types used here. */
const PROP = { body: 0x1000, transportHeaders: 0x007d, attachDataObj: 0x3701, attachMethod: 0x3705, attachLongFilename: 0x3707, attachMimeTag: 0x370e } as const;
const PT = { short: 0x0002, long: 0x0003, float: 0x0004, double: 0x0005, currency: 0x0006, appTime: 0x0007, error: 0x000a, boolean: 0x000b, object: 0x000d, i8: 0x0014, string8: 0x001e, unicode: 0x001f, sysTime: 0x0040, clsid: 0x0048, binary: 0x0102 } as const;
const MULTI = 0x1000;
/** IID_IMessage, {00020307-0000-0000-C000-000000000046}, as stored (GUID byte order). */
const IID_IMESSAGE = Buffer.from("0703020000000000c000000000000046", "hex");
/** An embedded message inside an embedded message is read this deep and no deeper. */
const MAX_DEPTH = 4;

export interface TnefAttachment {
  readonly title?: string;
  readonly mimeTag?: string;
  /** attAttachData, or PR_ATTACH_DATA_BIN: the attachment's bytes. */
  readonly data?: Buffer;
  /** PR_ATTACH_DATA_OBJ with IID_IMessage: an attached message kept as MAPI, and its encoded bytes. */
  readonly message?: TnefMessage;
  readonly messageBytes?: Buffer;
}

export interface TnefMessage {
  /** attBody or PR_BODY. */
  readonly body?: string;
  /** PR_TRANSPORT_MESSAGE_HEADERS: the internet header block the message arrived with. */
  readonly transportHeaders?: string;
  readonly attachments: readonly TnefAttachment[];
}

/** Reads a TNEF stream; undefined when `bytes` does not start with the TNEF signature. */
export function readTnef(bytes: Buffer, depth = 0): TnefMessage | undefined {
  if (bytes.length < 6 || bytes.readUInt32LE(0) !== TNEF_SIGNATURE) return undefined;
  let body: string | undefined;
  let transportHeaders: string | undefined;
  let codepage = 1252;
  const attachments: Array<{ title?: string; mimeTag?: string; data?: Buffer; message?: TnefMessage; messageBytes?: Buffer }> = [];
  let at = 6;
  while (at + 9 <= bytes.length) {
    const level = bytes[at];
    const id = bytes.readUInt32LE(at + 1) & 0xffff;
    const length = bytes.readUInt32LE(at + 5);
    const start = at + 9;
    if (start + length + 2 > bytes.length) break; // truncated: keep what was read
    const data = bytes.subarray(start, start + length);
    at = start + length + 2;
    if (level === LEVEL_ATTACHMENT) {
      if (id === ATT.attachRendData || attachments.length === 0) attachments.push({});
      const current = attachments[attachments.length - 1];
      if (id === ATT.attachData) current.data = data;
      else if (id === ATT.attachTitle) current.title = cString(data, codepage);
      else if (id === ATT.attachment) {
        for (const prop of properties(data)) {
          if (prop.id === PROP.attachMimeTag) current.mimeTag = text(prop, codepage);
          else if (prop.id === PROP.attachLongFilename) current.title = text(prop, codepage);
          else if (prop.id === PROP.attachDataObj && prop.type === PT.binary) current.data ??= prop.value;
          else if (prop.id === PROP.attachDataObj && prop.type === PT.object && prop.value.subarray(0, 16).equals(IID_IMESSAGE) && depth < MAX_DEPTH) {
            current.messageBytes = prop.value.subarray(16);
            current.message = readTnef(current.messageBytes, depth + 1);
          }
        }
      }
    } else if (id === ATT.oemCodepage && length >= 4) codepage = data.readUInt32LE(0);
    else if (id === ATT.body) body = cString(data, codepage);
    else if (id === ATT.msgProps) {
      for (const prop of properties(data)) {
        if (prop.id === PROP.body) body ??= text(prop, codepage);
        else if (prop.id === PROP.transportHeaders) transportHeaders = text(prop, codepage);
      }
    }
  }
  return { ...(body !== undefined ? { body } : {}), ...(transportHeaders !== undefined ? { transportHeaders } : {}), attachments };
}

interface Property {
  readonly id: number;
  readonly type: number;
  /** The first value's bytes (without padding). */
  readonly value: Buffer;
}

/** The properties of a counted MAPI property list; stops at the first that does not fit. */
function properties(list: Buffer): Property[] {
  const out: Property[] = [];
  if (list.length < 4) return out;
  const count = list.readUInt32LE(0);
  let at = 4;
  for (let i = 0; i < count && at + 4 <= list.length; i++) {
    const tag = list.readUInt32LE(at);
    at += 4;
    const type = tag & 0xffff;
    const id = tag >>> 16;
    if (id >= 0x8000) {
      // A named property: GUID (16), kind (4), then an id (4) or a name's byte length (4) and the name, padded.
      if (at + 24 > list.length) break;
      const kind = list.readUInt32LE(at + 16);
      at += 20;
      if (kind === 0) at += 4;
      else at += 4 + pad4(list.readUInt32LE(at));
    }
    const base = type & ~MULTI;
    const variable = base === PT.string8 || base === PT.unicode || base === PT.binary || base === PT.object;
    const fixed = fixedSize(base);
    if (!variable && fixed === undefined) break; // a type this reader does not know: stop rather than guess
    let values = 1;
    if (variable || type & MULTI) {
      if (at + 4 > list.length) break;
      values = list.readUInt32LE(at);
      at += 4;
    }
    let first: Buffer | undefined;
    for (let v = 0; v < values; v++) {
      let size = fixed ?? 0;
      if (variable) {
        if (at + 4 > list.length) return out;
        size = list.readUInt32LE(at);
        at += 4;
      }
      if (at + size > list.length) return out;
      first ??= list.subarray(at, at + size);
      at += pad4(size);
    }
    out.push({ id, type: base, value: first ?? Buffer.alloc(0) });
  }
  return out;
}

function fixedSize(type: number): number | undefined {
  switch (type) {
    case PT.short:
    case PT.boolean:
      return 2;
    case PT.long:
    case PT.float:
    case PT.error:
      return 4;
    case PT.double:
    case PT.currency:
    case PT.appTime:
    case PT.i8:
    case PT.sysTime:
      return 8;
    case PT.clsid:
      return 16;
    default:
      return undefined;
  }
}

const pad4 = (n: number) => (n + 3) & ~3;

function text(prop: Property, codepage: number): string {
  return prop.type === PT.unicode ? prop.value.toString("utf16le").replace(/\0+$/, "") : cString(prop.value, codepage);
}

/** An 8-bit string in the stream's code page: UTF-8 when it says 65001, else read as Windows-1252/Latin-1. */
function cString(bytes: Buffer, codepage: number): string {
  return bytes.toString(codepage === 65001 ? "utf8" : "latin1").replace(/\0+$/, "");
}
