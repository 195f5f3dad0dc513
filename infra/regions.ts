// Region names per cloud. Lists, not patterns, so a typo fails before anything is created.

/** AWS commercial regions (AWS General Reference, "AWS Regions"). */
export const AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-northeast-1",
  "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1",
  "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1",
  "mx-central-1", "sa-east-1",
] as const;

/**
 * Regions where Amazon SES receives email (has an `inbound-smtp.<region>.amazonaws.com`
 * endpoint). Source: AWS General Reference, "Amazon Simple Email Service endpoints and
 * quotas", table "Email Receiving endpoints" (https://docs.aws.amazon.com/general/latest/gr/ses.html).
 * AWS adds regions over time: check that table before extending this list.
 */
export const SES_RECEIVING_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-central-1",
  "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",
] as const;
export const SES_RECEIVING_SOURCE = "AWS General Reference, Amazon SES endpoints and quotas, 'Email Receiving endpoints'";

/** Amazon SES accepts messages up to 40 MB, headers and encoding included (Amazon SES Developer Guide, "Service quotas"). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** Azure regions with availability zones, fit for zone-redundant storage (Azure docs, "Azure regions with availability zones"). */
export const AZURE_REGIONS = [
  "eastus", "eastus2", "centralus", "southcentralus", "westus2", "westus3", "canadacentral", "brazilsouth",
  "northeurope", "westeurope", "uksouth", "francecentral", "germanywestcentral", "swedencentral", "switzerlandnorth",
  "norwayeast", "polandcentral", "italynorth", "australiaeast", "japaneast", "koreacentral", "southeastasia",
  "eastasia", "centralindia", "southafricanorth", "uaenorth", "israelcentral", "qatarcentral",
] as const;

/** Google Cloud regions (Cloud docs, "Regions and zones"). */
export const GCP_REGIONS = [
  "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4",
  "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "europe-west1",
  "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10",
  "europe-west12", "europe-north1", "europe-central2", "europe-southwest1", "asia-east1", "asia-east2",
  "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1",
  "asia-southeast2", "australia-southeast1", "australia-southeast2", "me-west1", "me-central1", "africa-south1",
] as const;

export const REGIONS = { aws: AWS_REGIONS, azure: AZURE_REGIONS, gcp: GCP_REGIONS } as const;
