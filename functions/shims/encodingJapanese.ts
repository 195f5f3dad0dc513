// Bundled in place of `encoding-japanese` (infra/bundle.ts): libmime asks it only to decode the
// Japanese charsets iconv-lite lacks (ISO-2022-JP, its JIS aliases, EUC-JP), and Node's
// TextDecoder decodes those as the WHATWG Encoding Standard does, which is what mail clients
// follow. A charset the runtime cannot decode throws, and libmime falls back as it does for any
// decoder failure.
const labelOf = (charset: string) => (/^jis|^iso-?2022-?jp/i.test(charset) ? "iso-2022-jp" : /^euc-?jp/i.test(charset) ? "euc-jp" : charset);

export function convert(data: Uint8Array | string, options: { readonly from: string; readonly to?: string; readonly type?: string }): string {
  const bytes = typeof data === "string" ? Buffer.from(data, "binary") : data;
  return new TextDecoder(labelOf(options.from)).decode(bytes);
}

export default { convert };
