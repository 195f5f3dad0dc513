// How the Azure rules recognise a sandbox stack's resources: the program tags everything a sandbox
// creates (infra/azure/index.ts), so that what `pulumi destroy` must be able to remove is not held
// to the protections of records. The shared advisory rule reports every sandbox store.
import { SANDBOX_TAG } from "../shared/conventions";

export const isSandbox = (props: { tags?: Record<string, unknown> } | undefined) => props?.tags?.[SANDBOX_TAG] === "true";
