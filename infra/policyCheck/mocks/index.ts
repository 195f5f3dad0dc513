// Each cloud's answers to the Pulumi mocks, for the offline policy check and the infra tests.
import type { Cloud } from "../../config";
import { awsMocks } from "./aws";
import { azureMocks } from "./azure";
import { gcpMocks } from "./gcp";
import type { CloudMocks } from "./types";

export const CLOUD_MOCKS: Record<Cloud, CloudMocks> = { aws: awsMocks, azure: azureMocks, gcp: gcpMocks };
export type { CloudMocks, MockContext } from "./types";
