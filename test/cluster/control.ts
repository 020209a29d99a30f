/** For tests: stop or restart one test cluster's kube-apiserver through the global setup. */
import { inject } from "vitest";

async function call(name: string, action: "stop" | "start"): Promise<void> {
  const res = await fetch(`${inject("clusterControlUrl")}/clusters/${name}/${action}`, {
    method: "POST",
  });
  if (res.status !== 204) throw new Error(`${action} ${name}: ${res.status} ${await res.text()}`);
}
export const stopApiserver = (name: string) => call(name, "stop");
export const startApiserver = (name: string) => call(name, "start");
