import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// Built-in roles that give full control of data or access (Azure's documented role ids).
const BROAD_BUILT_INS: Readonly<Record<string, string>> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
};

export const noBroadRoleAssignments = resourceRule({
  name: "azure-role-assignment-no-broad-built-ins",
  description: "No role assignment of the stack grants Owner, Contributor, User Access Administrator, Storage Blob Data Owner/Contributor, Storage Account Contributor or Key Vault Administrator",
  controls: SERVES.confidentiality,
  types: ["azure-native:authorization:RoleAssignment"],
  check: (props, report) => {
    const id = String(props.roleDefinitionId ?? "").split("/").pop()?.toLowerCase() ?? "";
    if (BROAD_BUILT_INS[id]) report(problem("roleDefinitionId", `${BROAD_BUILT_INS[id]} (${id})`, "assign the stack's custom role with only the actions needed"));
  },
});
