// The sample stacks the project ships, one pair per cloud: the primary and its standby.
import type { Cloud } from "../../infra/config";

export const SAMPLE_STACKS: Readonly<Record<Cloud, { readonly primary: string; readonly standby: string }>> = {
  aws: { primary: "aws-us-east-1", standby: "aws-us-west-2" },
  azure: { primary: "azure-eastus2", standby: "azure-centralus" },
  gcp: { primary: "gcp-us-east4", standby: "gcp-us-central1" },
};
