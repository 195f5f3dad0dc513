// How the GCP rules recognise a sandbox stack's resources: the program labels everything a sandbox
// creates (infra/gcp/index.ts), so that what `pulumi destroy` must be able to remove is not held
// to the protections of records. The shared advisory rule reports every sandbox store.
import { SANDBOX_TAG } from "../shared/conventions";

export const isSandbox = (props: { labels?: Record<string, unknown> } | undefined) => props?.labels?.[SANDBOX_TAG] === "true";
