// Every rule of the pack. The pack's entry (index.ts), the offline check and the tests all take them from here.
import { awsPolicies } from "./aws";
import { azurePolicies, azureStackPolicies } from "./azure";
import { gcpPolicies, gcpStackPolicies } from "./gcp";
import { stackPolicies as sharedStackPolicies } from "./stack";

export const resourcePolicies = [...awsPolicies, ...azurePolicies, ...gcpPolicies];
export const stackPolicies = [...sharedStackPolicies, ...azureStackPolicies, ...gcpStackPolicies];

export const policyNames = () => [...resourcePolicies, ...stackPolicies].map((p) => p.name);
