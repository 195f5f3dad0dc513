// The pack as Pulumi Cloud knows it: its name and the version `pulumi policy publish` publishes
// (@pulumi/policy reads it from this folder's package.json, the one place to change it). The
// program's policy group pins this version, so a stack is checked by the rules it was tested with.
import { name, version } from "../package.json";

export const PACK_NAME: string = name;
export const PACK_VERSION: string = version;
