// Bundled in place of `whatwg-url` (infra/bundle.ts): node-fetch, under the GCS client, takes
// `Url.URL || whatwgUrl.URL`, and Node's own WHATWG URL is always there, so the package and its
// 260 KB Unicode table (tr46) are never used. This keeps its one export, Node's URL.
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
